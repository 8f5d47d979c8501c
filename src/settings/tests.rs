use super::*;

#[test]
fn flags_win_over_the_file_and_defaults_fill_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chatda.toml");
    std::fs::write(
        &path,
        "listen = \"127.0.0.1:9000\"\nsource = \"postgres://x@y/z\"\nadmin_key = \"file\"\nselect = [\"concerts=SELECT id, name AS title FROM shows;\"]\nbatch_size = 500\n",
    )
    .unwrap();
    let flags = Settings {
        admin_key: Some("flag".into()),
        config: Some(path.clone()),
        ..Settings::default()
    };
    let (merged, origins) = flags.resolve(None).unwrap();
    assert_eq!(merged.listen().port(), 9000);
    assert_eq!(merged.source_url(), "postgres://x@y/z");
    assert_eq!(merged.admin_key(), Some("flag"));
    assert_eq!(merged.keep_versions(), 2);
    assert_eq!(merged.reindex_options().batch_size, 500);
    assert_eq!(
        merged.selects()["concerts"],
        "SELECT id, name AS title FROM shows"
    );
    assert_eq!(origins["admin_key"], Origin::Flag);
    assert_eq!(origins["listen"], Origin::File(path.clone()));
    assert_eq!(origins["keep_versions"], Origin::Default);
    assert!("concerts".parse::<KindSelect>().is_err());
    assert!("concerts=DROP TABLE x".parse::<KindSelect>().is_err());
    assert!(
        Settings::default()
            .with_file(&dir.path().join("none.toml"), false)
            .is_ok()
    );
    assert!(
        Settings::default()
            .with_file(&dir.path().join("none.toml"), true)
            .is_err()
    );
    std::fs::write(&path, "listn = \"x\"\n").unwrap();
    let bad = Settings::default().with_file(&path, true).unwrap_err();
    assert!(bad.to_string().contains("listn"), "{bad}");
    std::fs::write(&path, "time_zone = \"Mars/Base\"\n").unwrap();
    let bad = Settings::default().with_file(&path, true).unwrap_err();
    assert!(bad.to_string().contains("time_zone"), "{bad}");
}

#[test]
fn public_address_needs_an_admin_key() {
    let public = Settings {
        listen: Some("0.0.0.0:7700".parse().unwrap()),
        ..Settings::default()
    };
    assert!(
        public
            .check()
            .unwrap_err()
            .to_string()
            .contains("CHATDA_ADMIN_KEY")
    );
    let keyed = Settings {
        admin_key: Some("k".into()),
        ..public
    };
    assert!(keyed.check().is_ok());
}

#[test]
fn a_kinds_dir_adds_and_replaces_kinds() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("venues.toml"),
        "name = \"venues\"\nid = \"string\"\n[[fields]]\nname = \"name\"\ntype = \"text\"\n",
    )
    .unwrap();
    let settings = Settings {
        kinds_dir: Some(dir.path().to_path_buf()),
        ..Settings::default()
    };
    let names: Vec<String> = settings
        .kinds()
        .unwrap()
        .into_iter()
        .map(|k| k.name)
        .collect();
    assert_eq!(names, ["concerts", "tickets", "venues"]);
    std::fs::write(dir.path().join("bad.toml"), "name = 1\n").unwrap();
    let bad = settings.kinds().unwrap_err().to_string();
    assert!(
        bad.contains("kinds_dir") && bad.contains("bad.toml"),
        "{bad}"
    );
}

#[test]
fn indexing_nice_defaults_to_19_reaches_the_engine_and_stays_within_0_to_19() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chatda.toml");
    std::fs::write(&path, "indexing_nice = 3\n").unwrap();
    let from_file = Settings {
        config: Some(path),
        ..Settings::default()
    };
    let (merged, _) = from_file.resolve(None).unwrap();
    assert_eq!(merged.engine_config().unwrap().indexing_nice, 3);
    assert_eq!(Settings::default().indexing_nice(), 19);
    let set = |n| Settings {
        indexing_nice: Some(n),
        ..Settings::default()
    };
    assert_eq!(set(40).indexing_nice(), 19);
    assert_eq!(set(-5).indexing_nice(), 0);
    assert_eq!(set(0).engine_config().unwrap().indexing_nice, 0);
}
