//! A real server on a loopback port over its own data directory (a small generated
//! SQLite source), as `chatda serve` prepares it; and JSON helpers.

#![allow(dead_code)]

use std::time::Duration;

use chatda::server::{self, ServerError};
use chatda::settings::Settings;
use reqwest::StatusCode;
use serde_json::Value as Json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct Server {
    pub base: String,
    stop: Option<oneshot::Sender<()>>,
    handle: JoinHandle<Result<(), ServerError>>,
    pub dir: tempfile::TempDir,
}

pub async fn start(configure: impl FnOnce(&mut Settings)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Settings {
        data_dir: Some(dir.path().to_path_buf()),
        demo_concerts: Some(300),
        demo_tickets: Some(200),
        max_body_bytes: Some(100_000),
        ..Settings::default()
    };
    configure(&mut config);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(server::serve(listener, config, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status() == StatusCode::OK
        {
            return Server {
                base,
                stop: Some(stop),
                handle,
                dir,
            };
        }
        if handle.is_finished() {
            panic!("the server stopped: {:?}", handle.await.unwrap());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready in 60 s");
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn stop(mut self) {
        self.stop.take().unwrap().send(()).unwrap();
        self.handle.await.unwrap().unwrap();
    }
}

pub async fn post(client: &reqwest::Client, url: &str, body: Json) -> (StatusCode, Json) {
    let r = client.post(url).json(&body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

pub async fn get(client: &reqwest::Client, url: &str) -> (StatusCode, Json) {
    let r = client.get(url).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap())
}

pub async fn wait_for_job(client: &reqwest::Client, s: &Server, id: i64) -> Json {
    for _ in 0..600 {
        let (status, job) = get(client, &s.url(&format!("/v1/jobs/{id}"))).await;
        assert_eq!(status, StatusCode::OK, "{job}");
        if ["succeeded", "failed", "cancelled"].contains(&job["state"].as_str().unwrap()) {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {id} did not finish");
}

/// The entry of `GET /v1/indexes` for `alias`.
pub async fn index_status(client: &reqwest::Client, s: &Server, alias: &str) -> Json {
    let (status, body) = get(client, &s.url("/v1/indexes")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["alias"] == alias)
        .unwrap_or_else(|| panic!("no index {alias}: {body}"))
        .clone()
}
