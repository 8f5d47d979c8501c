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
