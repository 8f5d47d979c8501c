//! The web console in a real browser: Debian's headless Chromium driven through
//! ChromeDriver (WebDriver) against a real server. Each page is used as an operator would
//! (search as you type, a facet, the key, a swap, a job's detail, the charts) and
//! screenshotted into `target/console-screenshots/`. Without ChromeDriver the test skips
//! with a message, except under `CI=true` (`.ci/run` installs it), where it fails.

#[path = "support/server.rs"]
mod harness;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use harness::{index_status, start, wait_for_job};
use reqwest::StatusCode;
use serde_json::{Value as Json, json};

const ADMIN_KEY: &str = "console-test-admin-key";
const WAIT: Duration = Duration::from_secs(20);

/// A ChromeDriver process on a free loopback port, killed on drop.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    /// Lets ChromeDriver pick its own port (`--port=0`) and reads it from its banner: a port
    /// chosen here and released before ChromeDriver binds it can be taken by the server under
    /// test in between.
    fn start() -> Option<Driver> {
        let mut child = match Command::new("chromedriver")
            .arg("--port=0")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => {
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!("chromedriver is required under CI=true (.ci/run installs it): {e}");
                }
                eprintln!(
                    "skipping the browser test: no chromedriver ({e}); apt-get install chromium chromium-driver"
                );
                return None;
            }
        };
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let port = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                let (_, tail) = line.split_once("started successfully on port ")?;
                tail.trim_end_matches('.').trim().parse::<u16>().ok()
            })
            .expect("chromedriver exited before saying which port it listens on");
        // Keep draining its output so a full pipe never stalls it.
        std::thread::spawn(move || lines.for_each(drop));
        Some(Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        })
    }

    async fn browser(&self) -> Client {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                            "--disable-dev-shm-usage", "--window-size=1280,900"]}),
        );
        let started = Instant::now();
        loop {
            let connector = hyper_util::client::legacy::connect::HttpConnector::new();
            match ClientBuilder::new(connector)
                .capabilities(caps.clone())
                .connect(&self.url)
                .await
            {
                Ok(client) => return client,
                Err(e) if started.elapsed() < WAIT => {
                    let _ = e;
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                Err(e) => panic!("no browser session from chromedriver: {e}"),
            }
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn wait_for(browser: &Client, css: &str) -> Element {
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} did not appear: {e}"))
}

/// Waits until the text of `css` satisfies `ok`; returns it.
async fn wait_for_text(browser: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let started = Instant::now();
    loop {
        if let Ok(element) = browser.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
            && ok(&text)
        {
            return text;
        }
        assert!(
            started.elapsed() < WAIT,
            "{css} never showed the expected text"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The leading number of a text ("1,234건 · 3.2 ms" → 1234).
fn count(text: &str) -> usize {
    text.chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(0)
}

async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/console-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

async fn open(browser: &Client, base: &str, route: &str) {
    browser.goto(&format!("{base}/#/{route}")).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_serves_searches_indexes_jobs_and_charts_in_a_real_browser() {
    let Some(driver) = Driver::start() else {
        return;
    };
    let s = start(|c| c.admin_key = Some(ADMIN_KEY.into())).await;
    let api = reqwest::Client::new();
    // A second version, not swapped in, so the versions table has something to swap.
    let r = api
        .post(s.url("/v1/indexes/concerts/reindex"))
        .bearer_auth(ADMIN_KEY)
        .json(&json!({"swap": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    let job = r.json::<Json>().await.unwrap()["job_id"].as_i64().unwrap();
    let admin = reqwest::Client::builder()
        .default_headers(
            [(
                reqwest::header::AUTHORIZATION,
                format!("Bearer {ADMIN_KEY}").parse().unwrap(),
            )]
            .into_iter()
            .collect(),
        )
        .build()
        .unwrap();
    let built = wait_for_job(&admin, &s, job).await;
    assert_eq!(built["state"], "succeeded");
    let new_version = built["target_version"].clone();

    let browser = driver.browser().await;

    // Search as you type: hits with scores, highlights and the explain; facets filter.
    open(&browser, &s.base, "search/concerts").await;
    let search_box = wait_for(&browser, "#search-box").await;
    search_box.send_keys("서울 공연").await.unwrap();
    wait_for(&browser, "#hits .hit").await;
    let score = wait_for(&browser, "#hits .hit .score")
        .await
        .text()
        .await
        .unwrap();
    let score: f32 = score
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("a score: {score:?}"));
    assert!((0.0..=1.0).contains(&score), "{score}");
    wait_for(&browser, "#hits .hit mark").await;
    wait_for(&browser, "#hits .hit .explain").await;
    let before = count(&wait_for_text(&browser, "#total", |t| count(t) > 0).await);
    let facet = wait_for(&browser, "#facets input[type=checkbox]").await;
    facet.click().await.unwrap();
    let after =
        count(&wait_for_text(&browser, "#total", |t| (1..before).contains(&count(t))).await);
    assert!(
        after < before,
        "a facet narrows the hits: {before} → {after}"
    );
    screenshot(&browser, "search").await;

    // Admin pages need the key: first a clear message, then with the key typed in.
    open(&browser, &s.base, "jobs").await;
    let message = wait_for_text(&browser, "#error", |t| !t.trim().is_empty()).await;
    assert!(message.contains("키"), "asks for the key: {message}");
    let key = wait_for(&browser, "#key-input").await;
    key.send_keys(ADMIN_KEY).await.unwrap();
    wait_for(&browser, "#key-save").await.click().await.unwrap();
    open(&browser, &s.base, "indexes").await;
    wait_for(&browser, "#versions .live").await;
    let live_before = index_status(&admin, &s, "concerts").await["live_version"].clone();
    assert_ne!(live_before, new_version, "built with swap: false");
    let swap = wait_for(
        &browser,
        &format!("#versions button.swap[data-version=\"{new_version}\"]"),
    )
    .await;
    swap.click().await.unwrap();
    browser.accept_alert().await.unwrap();
    let started = Instant::now();
    let live = loop {
        let concerts = index_status(&admin, &s, "concerts").await;
        if concerts["live_version"] == new_version || started.elapsed() > WAIT {
            break concerts["live_version"].clone();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        live, new_version,
        "the swap button moved the alias to the new version"
    );
    screenshot(&browser, "indexes").await;

    // Jobs: the counts per state, the list, and a job's detail with its attempts.
    open(&browser, &s.base, "jobs").await;
    wait_for_text(&browser, "#job-counts", |t| t.contains("succeeded 3")).await;
    let row = wait_for(&browser, "#jobs tr.job").await;
    row.click().await.unwrap();
    wait_for_text(&browser, "#job-detail", |t| t.contains("succeeded")).await;
    wait_for(&browser, "#job-detail table.attempts").await;
    screenshot(&browser, "jobs").await;

    // Charts drawn from aggregations.
    open(&browser, &s.base, "charts").await;
    wait_for(&browser, "#chart-tickets svg rect").await;
    wait_for(&browser, "#chart-concerts svg").await;
    wait_for(&browser, "#chart-concerts .legend").await;
    screenshot(&browser, "charts").await;

    // Schedules (none configured here).
    open(&browser, &s.base, "schedules").await;
    wait_for(&browser, "#schedules").await;
    screenshot(&browser, "schedules").await;

    browser.close().await.unwrap();
    s.stop().await;
}
