//! `chatda serve` stopped with SIGTERM at awkward moments — while seeding the source,
//! while a reindex runs — and started again: nothing lost, nothing doubled, and the
//! interrupted work finishes by itself.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value as Json, json};

struct Serve {
    child: Child,
    base: String,
    log: mpsc::Receiver<String>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn serve(dir: &std::path::Path, concerts: u64) -> Serve {
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_chatda"))
        .arg("serve")
        .env("CHATDA_DATA_DIR", dir)
        .env("CHATDA_LISTEN", format!("127.0.0.1:{port}"))
        .env("CHATDA_DEMO_CONCERTS", concerts.to_string())
        .env("CHATDA_DEMO_TICKETS", "10")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, log) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    Serve {
        child,
        base: format!("http://127.0.0.1:{port}"),
        log,
    }
}

impl Serve {
    /// Waits for a log line containing `text`.
    fn wait_log(&self, text: &str) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            if let Ok(line) = self.log.recv_timeout(Duration::from_millis(100))
                && line.contains(text)
            {
                return;
            }
        }
        panic!("no log line with {text:?}");
    }

    async fn ready(&self, client: &reqwest::Client) {
        for _ in 0..1_200 {
            if let Ok(r) = client.get(format!("{}/readyz", self.base)).send().await
                && r.status().is_success()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the server did not become ready");
    }

    /// SIGTERM, then the exit status (within 60 s).
    fn terminate(mut self) -> std::process::ExitStatus {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(Instant::now() < deadline, "no exit within 60 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn get(client: &reqwest::Client, url: String) -> Json {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

/// Documents in the live concerts index (soft-deleted ones included).
async fn live_docs(client: &reqwest::Client, s: &Serve) -> u64 {
    let indexes = get(client, format!("{}/v1/indexes", s.base)).await;
    indexes["indexes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["alias"] == "concerts")
        .unwrap()["docs"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn sigterm_while_seeding_exits_cleanly_and_the_next_start_finishes_the_seeding() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let first = serve(dir.path(), 30_000);
    first.wait_log("the source is empty");
    std::thread::sleep(Duration::from_millis(300));
    let status = first.terminate();
    assert!(status.success(), "exit status {status:?}");

    let second = serve(dir.path(), 30_000);
    second.ready(&client).await;
    assert_eq!(
        live_docs(&client, &second).await,
        30_000,
        "every demo row seeded and indexed"
    );
    assert!(second.terminate().success());
}

#[tokio::test]
async fn sigterm_during_a_reindex_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let rows = 3_000;
    let first = serve(dir.path(), rows);
    first.ready(&client).await;
    let started: Json = client
        .post(format!("{}/v1/indexes/concerts/reindex", first.base))
        .json(&json!({"batch_size": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let job = started["job_id"].as_i64().unwrap();
    loop {
        let state = get(&client, format!("{}/v1/jobs/{job}", first.base)).await;
        assert_eq!(state["state"], "running", "{state}");
        if state["processed"].as_i64().unwrap() >= 50 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = first.terminate();
    assert!(status.success(), "exit status {status:?}");

    // The next start resumes the job by itself, at once.
    let second = serve(dir.path(), rows);
    second.ready(&client).await;
    let done = get(&client, format!("{}/v1/jobs/{job}", second.base)).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(
        live_docs(&client, &second).await,
        rows,
        "one document per row: the partial load was not committed twice"
    );
    assert!(second.terminate().success());
}
