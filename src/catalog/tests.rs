use super::*;

#[tokio::test]
async fn swap_rollback_and_expiry() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Catalog::open(dir.path()).await.unwrap();
    let v1 = catalog
        .create_version("concerts", VersionState::Ready, None)
        .await
        .unwrap();
    assert_eq!(catalog.swap("concerts", v1).await.unwrap(), None);
    let v2 = catalog
        .create_version("concerts", VersionState::Building, Some(7))
        .await
        .unwrap();
    assert_eq!(v2, v1 + 1);
    let refused = catalog.swap("concerts", v2).await.unwrap_err();
    assert!(refused.to_string().contains("building"), "{refused}");
    assert!(catalog.swap("concerts", 99).await.is_err());
    catalog
        .set_version_state("concerts", v2, VersionState::Ready, Some(10))
        .await
        .unwrap();
    assert_eq!(catalog.swap("concerts", v2).await.unwrap(), Some(v1));
    let refused = catalog.rollback_target("concerts").await.unwrap_err();
    assert!(
        refused.to_string().contains("no complete version"),
        "v1 is the empty placeholder of a fresh data directory: {refused}"
    );
    for _ in 0..3 {
        let v = catalog
            .create_version("concerts", VersionState::Ready, Some(8))
            .await
            .unwrap();
        catalog.swap("concerts", v).await.unwrap();
    }
    // Live v5; keep 2 older ready ones (v4, v3): v1 and v2 expire.
    assert_eq!(
        catalog.expired_versions("concerts", 2).await.unwrap(),
        vec![1, 2]
    );
    assert_eq!(catalog.alias("concerts").await.unwrap().unwrap().version, 5);
    assert_eq!(catalog.rollback_target("concerts").await.unwrap(), 4);
    assert!(catalog.alias("tickets").await.unwrap().is_none());
}

#[tokio::test]
async fn concurrent_swaps_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Catalog::open(dir.path()).await.unwrap();
    let mut versions = Vec::new();
    for _ in 0..4 {
        versions.push(
            catalog
                .create_version("concerts", VersionState::Ready, Some(1))
                .await
                .unwrap(),
        );
    }
    // Separate handles, as separate processes (or requests) would have.
    let mut handles = Vec::new();
    for i in 0..40 {
        let other = Catalog::open(dir.path()).await.unwrap();
        let version = versions[i % versions.len()];
        handles.push(tokio::spawn(async move {
            other.swap("concerts", version).await
        }));
    }
    for handle in handles {
        handle
            .await
            .unwrap()
            .expect("a swap never fails with database is locked");
    }
}

#[tokio::test]
async fn history_older_than_the_kept_days_goes_unless_a_version_names_its_job() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = Catalog::open(dir.path()).await.unwrap();
    let new = |kind: &str| NewJob {
        kind: kind.into(),
        high_water: 0,
        total_estimate: None,
        swap: true,
    };
    // A job whose version is kept, and one whose version was deleted.
    let kept = catalog.start_job(&new("concerts")).await.unwrap();
    catalog
        .finish_job(kept.id, JobState::Succeeded, None)
        .await
        .unwrap();
    let gone = catalog.start_job(&new("tickets")).await.unwrap();
    catalog
        .record_row_errors(
            gone.id,
            &[RowError {
                row_id: "7".into(),
                field: "title".into(),
                reason: "required".into(),
            }],
        )
        .await
        .unwrap();
    catalog
        .finish_job(gone.id, JobState::Failed, Some("boom"))
        .await
        .unwrap();
    catalog
        .set_version_state("tickets", gone.target_version, VersionState::Deleted, None)
        .await
        .unwrap();
    assert!(catalog.claim_firing("nightly", 1).await.unwrap());
    assert!(
        !catalog.claim_firing("nightly", 1).await.unwrap(),
        "a firing runs once"
    );

    // Nothing is older than a cut-off in the past.
    let pruned = catalog.prune_history(1).await.unwrap();
    assert_eq!(pruned, Pruned::default());
    let pruned = catalog.prune_history(now_ms() + 1_000).await.unwrap();
    assert_eq!((pruned.jobs, pruned.schedule_runs), (1, 1));
    assert!(
        catalog.job(kept.id).await.is_ok(),
        "its version still names it"
    );
    assert!(catalog.job(gone.id).await.is_err());
    assert!(catalog.row_errors(gone.id, 10).await.unwrap().is_empty());
    assert!(catalog.attempts(gone.id).await.unwrap().is_empty());
}
