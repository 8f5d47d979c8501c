//! One Settings for every command: a third kind loaded from a spec file at run time,
//! read from its own SELECT given in `chatda.toml`, with a synonym file from the same
//! settings — reindexed and searched through the CLI and over HTTP, which agree; and an
//! index searched with other analyzer lists than built it is reported.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use chatda::settings::Settings;
use serde_json::{Value as Json, json};

fn chatda(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_chatda"));
    command
        .args(args)
        .current_dir(dir)
        .env("CHATDA_DATA_DIR", dir.join("data"))
        .env_remove("CHATDA_SYNONYMS");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().unwrap();
    assert!(
        out.status.success(),
        "chatda {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn hit_ids(response: &Json) -> Vec<i64> {
    let mut ids: Vec<i64> = response["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_i64().unwrap())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_third_kind_its_select_and_synonyms_come_from_the_settings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("kinds")).unwrap();
    std::fs::write(
        root.join("kinds/venues.toml"),
        "name = \"venues\"\nid = \"integer\"\n[[fields]]\nname = \"name\"\ntype = \"text\"\nboost = 2.0\n[[fields]]\nname = \"city\"\ntype = \"keyword\"\nfilterable = true\n",
    )
    .unwrap();
    std::fs::write(root.join("synonyms.txt"), "썸머, summer\n").unwrap();
    // chatda.toml in the working directory: picked up by every command.
    std::fs::write(
        root.join("chatda.toml"),
        format!(
            "kinds_dir = \"{kinds}\"\nsynonyms = \"{syn}\"\nno_demo = true\nselect = [\"venues=SELECT hall_id AS id, hall_name AS name, town AS city FROM halls\"]\n",
            kinds = root.join("kinds").display(),
            syn = root.join("synonyms.txt").display()
        ),
    )
    .unwrap();
    chatda(root, &["migrate"], &[]);
    let source = chatda::source::Source::connect(
        &format!("sqlite://{}", root.join("data/source.db").display()),
        Default::default(),
    )
    .await
    .unwrap();
    for sql in [
        "CREATE TABLE halls (hall_id INTEGER PRIMARY KEY, hall_name TEXT NOT NULL, town TEXT)",
        "INSERT INTO halls VALUES (1, '썸머 홀', '서울'), (2, 'Summer Hall', '부산'), (3, '예술의전당', '서울')",
    ] {
        sqlx::query(sql).execute(source.pool()).await.unwrap();
    }

    let out = chatda(root, &["reindex", "venues"], &[]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("built with 3 documents"), "{stdout}");

    // The CLI: "summer" finds the hall spelled 썸머 through the synonym file.
    let out = chatda(root, &["search", "venues", "summer", "--json"], &[]);
    let cli: Json = serde_json::from_slice(&out.stdout).unwrap();

    assert_eq!(hit_ids(&cli), [1, 2], "{cli}");

    let out = chatda(root, &["settings"], &[]);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains(&format!(
            "synonyms = {}",
            root.join("synonyms.txt").display()
        )) && shown.contains("chatda.toml"),
        "{shown}"
    );
    assert!(
        shown.contains("listen = 127.0.0.1:7700\t(default)"),
        "{shown}"
    );

    // Other lists than the index was built with: reported, on every command.
    std::fs::write(root.join("other.txt"), "\n").unwrap();
    let other = root.join("other.txt");
    let out = chatda(
        root,
        &["search", "venues", "summer"],
        &[("CHATDA_SYNONYMS", other.to_str().unwrap())],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("venues") && stderr.contains("was built with the synonyms"),
        "{stderr}"
    );

    // HTTP with the same settings file agrees with the CLI.
    let (settings, _) = Settings {
        config: Some(root.join("chatda.toml")),
        data_dir: Some(root.join("data")),
        ..Settings::default()
    }
    .resolve(None)
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(chatda::server::serve(listener, settings, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let mut ready = false;
    for _ in 0..600 {
        if let Ok(r) = client.get(format!("{base}/readyz")).send().await
            && r.status().is_success()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "the server did not start");
    let search = |body: Json| {
        let request = client
            .post(format!("{base}/v1/indexes/venues/search"))
            .json(&body);
        async move { request.send().await.unwrap().json::<Json>().await.unwrap() }
    };
    let http = search(json!({"q": "summer"})).await;
    assert!(http["hits"].is_array(), "{http}");
    assert_eq!(hit_ids(&http), hit_ids(&cli), "{http}");
    let filtered = search(json!({"q": "썸머", "filter": {"city": "부산"}})).await;
    assert_eq!(hit_ids(&filtered), [2], "{filtered}");
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
