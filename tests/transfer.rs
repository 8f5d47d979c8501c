//! Imports of CSV, TSV, JSON lines and XLSX files (exact bad-row reports, column
//! mapping, header checks) and exports that round-trip through an import, on an app over
//! a real data directory and SQLite source.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chatda::app::{App, ExportRequest, ExportTarget, Format, ImportOptions};
use chatda::query::SearchRequest;
use chatda::settings::Settings;
use rust_xlsxwriter::{ExcelDateTime, Format as CellFormat, Workbook};
use serde_json::{Map, Value as Json, json};

async fn app(dir: &Path) -> App {
    let settings = Settings {
        data_dir: Some(dir.to_path_buf()),
        demo_concerts: Some(400),
        demo_tickets: Some(300),
        ..Settings::default()
    };
    App::prepare(settings).await.unwrap()
}

async fn ids(app: &App, kind: &str, filter: Json) -> Vec<u64> {
    let request = SearchRequest {
        filter: filter.as_object().cloned(),
        limit: 1_000,
        cache: false,
        ..SearchRequest::default()
    };
    let response = app.search(kind, request).await.unwrap();
    let mut ids: Vec<u64> = response
        .hits
        .iter()
        .map(|h| h.id.as_u64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

async fn document(app: &App, kind: &str, id: u64) -> Option<Map<String, Json>> {
    // Ids are not a filter field: browse (by id) and pick it out.
    let browse = SearchRequest {
        limit: 1_000,
        cache: false,
        ..SearchRequest::default()
    };
    let response = app.search(kind, browse).await.unwrap();
    response
        .hits
        .into_iter()
        .find(|h| h.id == json!(id))
        .map(|h| h.source)
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Problems as (row, field, reason start) for exact comparison.
fn problems(report: &chatda::app::ImportReport) -> Vec<(u64, String)> {
    report
        .errors
        .iter()
        .map(|p| (p.row, p.field.clone()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_csv_with_good_and_bad_rows_imports_the_good_ones_and_reports_each_bad_field() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let before = app.docs("concerts").unwrap();
    // Row 1 is the header; "가수" is mapped to artists and "메모" ignored.
    let csv = "id,title,가수,city,genre,start_date,price_min,deleted,메모\n\
        900001,여름밤 재즈 페스티벌,재즈밴드|피아노 트리오,서울,페스티벌,2026-07-01,55000,false,첫 줄\n\
        900002,\"겨울, 그리고 발라드\",김발라,부산,콘서트,2026-12-24,abc,false,\n\
        900003,,무명,대구,콘서트,2026-05-05,10000,false,\n\
        \n\
        900004,봄 뮤지컬 갈라,배우들,인천,뮤지컬,not-a-date,30000,maybe,\n\
        900005,가을 국악 한마당,국악단,광주,국악,2026-10-03,0,no,마지막\n";
    let path = write(dir.path(), "concerts.csv", csv);
    let options = ImportOptions {
        map: "가수=artists,메모=".into(),
        ..ImportOptions::default()
    };
    let mut seen = Vec::new();
    let report = app
        .import_file("concerts", &path, &options, |r| seen.push(r.rows))
        .await
        .unwrap();
    assert_eq!(report.rows, 5, "the blank line is not a row");
    assert_eq!(report.upserted, 2);
    assert_eq!(report.failed, 3);
    // A cell that does not convert is the row's problem; fields that convert are then
    // validated together (row 5's bad date is not reached: its bool did not convert).
    // The blank line is not a row.
    assert_eq!(
        problems(&report),
        vec![
            (3, "price_min".to_string()),
            (4, "title".to_string()),
            (5, "deleted".to_string()),
        ],
        "{:?}",
        report.errors
    );
    assert!(
        report.errors[0].reason.contains("\"abc\""),
        "{:?}",
        report.errors[0]
    );
    assert_eq!(report.errors[0].id, Some(json!(900002)));
    assert_eq!(seen.last(), Some(&5));
    assert_eq!(app.docs("concerts").unwrap(), before + 2);
    let jazz = document(&app, "concerts", 900001)
        .await
        .expect("row 2 imported");
    assert_eq!(jazz["artists"], json!(["재즈밴드", "피아노 트리오"]));
    assert_eq!(jazz["price_min"], json!(55000));
    assert!(!jazz.contains_key("메모"));
    assert!(document(&app, "concerts", 900005).await.is_some());
    let found = app
        .search("concerts", SearchRequest::text("여름밤 재즈"))
        .await
        .unwrap();
    assert_eq!(
        found.hits[0].id,
        json!(900001),
        "imported rows are searchable"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_header_or_mapping_is_refused_before_any_row() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let before = app.docs("concerts").unwrap();
    let unknown = write(dir.path(), "a.csv", "id,title,가수\n1,제목,누구\n");
    let e = app
        .import_file("concerts", &unknown, &ImportOptions::default(), |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("column 3 (\"가수\")") && e.contains("가수=FIELD"),
        "{e}"
    );
    let no_id = write(dir.path(), "b.csv", "title\n제목\n");
    let e = app
        .import_file("concerts", &no_id, &ImportOptions::default(), |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("no id column"), "{e}");
    let options = ImportOptions {
        map: "가수=singer".into(),
        ..ImportOptions::default()
    };
    let e = app
        .import_file("concerts", &unknown, &options, |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"singer\", which is not a field"), "{e}");
    let unnamed = write(dir.path(), "c.data", "id\n1\n");
    let e = app
        .import_file("concerts", &unnamed, &ImportOptions::default(), |_| {})
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("cannot tell the format"), "{e}");
    assert_eq!(app.docs("concerts").unwrap(), before, "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_xlsx_with_typed_cells_imports_with_an_exact_report() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let path = dir.path().join("tickets.xlsx");
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let date = CellFormat::new().set_num_format("yyyy-mm-dd");
    for (col, name) in [
        "id",
        "subject",
        "status",
        "priority",
        "created_at",
        "category",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *name).unwrap();
    }
    // Row 2: good, with a real Excel date and numbers typed as numbers.
    sheet.write_number(1, 0, 700001.0).unwrap();
    sheet.write_string(1, 1, "환불 요청드립니다").unwrap();
    sheet.write_string(1, 2, "open").unwrap();
    sheet.write_number(1, 3, 2.0).unwrap();
    let day = ExcelDateTime::from_ymd(2026, 3, 14).unwrap();
    sheet.write_datetime_with_format(1, 4, &day, &date).unwrap();
    sheet.write_string(1, 5, "환불").unwrap();
    // Row 3: a status outside the allowed values and a priority out of range.
    sheet.write_number(2, 0, 700002.0).unwrap();
    sheet.write_string(2, 1, "좌석 변경").unwrap();
    sheet.write_string(2, 2, "lost").unwrap();
    sheet.write_number(2, 3, 9.0).unwrap();
    // Row 4: a fractional priority.
    sheet.write_number(3, 0, 700003.0).unwrap();
    sheet.write_string(3, 1, "예매 확인").unwrap();
    sheet.write_number(3, 3, 1.5).unwrap();
    // Row 5: good, date as text.
    sheet.write_number(4, 0, 700004.0).unwrap();
    sheet.write_string(4, 1, "공연 취소 문의").unwrap();
    sheet.write_string(4, 2, "pending").unwrap();
    sheet.write_string(4, 4, "2026-03-15").unwrap();
    workbook.save(&path).unwrap();

    let report = app
        .import_file("tickets", &path, &ImportOptions::default(), |_| {})
        .await
        .unwrap();
    assert_eq!(
        (report.rows, report.upserted, report.failed),
        (4, 2, 2),
        "{report:?}"
    );
    let got: Vec<(u64, String)> = problems(&report);
    assert_eq!(
        got,
        vec![
            (3, "status".to_string()),
            (3, "priority".to_string()),
            (4, "priority".to_string()),
        ],
        "{:?}",
        report.errors
    );
    let refund = document(&app, "tickets", 700001).await.unwrap();
    assert!(
        refund["created_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-03-14"),
        "{refund:?}"
    );
    assert_eq!(refund["priority"], json!(2));
}

/// Exports `filter` in `format` to a file and reads the documents back as JSON, by id.
async fn exported(
    app: &App,
    dir: &Path,
    filter: &Json,
    format: Format,
) -> (PathBuf, BTreeMap<u64, Json>) {
    let path = dir.join(format!("out.{}", format.extension()));
    let target = match format {
        Format::Xlsx => ExportTarget::File(path.clone()),
        _ => ExportTarget::Stream(Box::new(std::fs::File::create(&path).unwrap())),
    };
    let request = ExportRequest {
        filter: filter.as_object().cloned(),
        format,
        ..ExportRequest::default()
    };
    let header = app.export("concerts", request, target).await.unwrap();
    // Read back through the same reader an import uses (as JSON lines for comparison).
    let mut docs = BTreeMap::new();
    if format == Format::Jsonl {
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        let first: Json = serde_json::from_str(lines.next().unwrap()).unwrap();
        assert_eq!(first["export"]["rows"], json!(header.rows));
        assert_eq!(first["export"]["filter"], *filter);
        for line in lines {
            let doc: Json = serde_json::from_str(line).unwrap();
            docs.insert(doc["id"].as_u64().unwrap(), doc);
        }
    }
    assert_eq!(
        header.rows as usize,
        ids(app, "concerts", filter.clone()).await.len()
    );
    (path, docs)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_then_import_of_a_filter_round_trips_the_documents_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(dir.path()).await;
    let filter = json!({"genre": "뮤지컬"});
    let wanted = ids(&app, "concerts", filter.clone()).await;
    assert!(wanted.len() > 10, "the demo has musicals: {}", wanted.len());
    let (_, original) = exported(&app, dir.path(), &filter, Format::Jsonl).await;
    assert_eq!(original.keys().copied().collect::<Vec<_>>(), wanted);
    for format in [Format::Csv, Format::Tsv, Format::Xlsx, Format::Jsonl] {
        let (path, _) = exported(&app, dir.path(), &filter, format).await;
        // Delete them, then bring them back from the file.
        let deletes: String = wanted
            .iter()
            .map(|id| format!("{{\"delete\": {id}}}\n"))
            .collect();
        app.ingest("concerts", deletes).await.unwrap();
        assert!(
            ids(&app, "concerts", filter.clone()).await.is_empty(),
            "{format}"
        );
        let report = app
            .import_file("concerts", &path, &ImportOptions::default(), |_| {})
            .await
            .unwrap();
        assert_eq!(report.failed, 0, "{format}: {:?}", report.errors);
        assert_eq!(report.upserted as usize, wanted.len(), "{format}");
        let (_, again) = exported(&app, dir.path(), &filter, Format::Jsonl).await;
        assert_eq!(again, original, "{format} round-trips every field");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_job_stopped_by_a_shutdown_resumes_at_the_next_start_without_loss() {
    let dir = tempfile::tempdir().unwrap();
    let rows = 12_000;
    let mut csv = String::from("id,subject,status,priority,created_at\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "{},좌석 문의 {i},open,{},2026-01-0{}\n",
            500_000 + i,
            1 + i % 4,
            1 + i % 9
        ));
    }
    let before;
    let id;
    {
        let app = app(dir.path()).await;
        before = app.docs("tickets").unwrap();
        let upload = app.upload_path().unwrap();
        std::fs::write(&upload, &csv).unwrap();
        let options = ImportOptions {
            format: Some(Format::Csv),
            ..ImportOptions::default()
        };
        id = app.start_import("tickets", &upload, options).await.unwrap();
        // A shutdown: the job stops at its next chunk and stays to be resumed.
        app.stop_jobs().await;
        let detail = app.job(id).await.unwrap();
        assert_eq!(
            detail.job.state,
            chatda::app::JobState::Running,
            "{:?}",
            detail.job
        );
        assert!(detail.job.processed < rows, "{:?}", detail.job);
    }
    let app = app(dir.path()).await;
    let started = std::time::Instant::now();
    let job = loop {
        let job = app.job(id).await.unwrap().job;
        if job.state != chatda::app::JobState::Running || started.elapsed().as_secs() > 60 {
            break job;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert_eq!(job.state, chatda::app::JobState::Succeeded, "{job:?}");
    assert_eq!(job.processed, rows, "every row once: {job:?}");
    assert_eq!(app.docs("tickets").unwrap(), before + rows as u64);
    assert!(
        std::fs::read_dir(dir.path().join("imports"))
            .unwrap()
            .next()
            .is_none(),
        "the upload is removed when the job ends"
    );
}
