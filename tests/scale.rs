//! Reports of very large systems: findings about thousands of components are summarised in the
//! human report and SARIF, and complete in JSON.

use std::fmt::Write as _;

use crate::support::{run_in, temp_with};

/// `n` services without an owner in `groups` groups, all depending on one database (one
/// AM030 with `n` users when each has its own owner; here: AM040 on every service).
fn unowned(n: usize, groups: usize) -> String {
    let mut y = String::from("version: 1\nname: Big\ngroups:\n");
    for g in 0..groups {
        let _ = writeln!(y, "  g{g}: {{}}");
    }
    y.push_str("services:\n  db: { kind: database, owner: data, replicas: 2 }\n");
    for i in 0..n {
        let _ = writeln!(y, "  s{i}: {{ group: g{}, depends_on: [db] }}", i % groups);
    }
    y
}

#[test]
fn an_info_on_hundreds_of_components_is_summarised_per_group_in_the_human_report() {
    let dir = temp_with(&[("archmap.yaml", &unowned(300, 7))]);
    let human = run_in(dir.path(), &["check", "--rule", "fan-in=off"], "");
    let out = &human.stdout;
    assert!(out.contains("info AM040 missing-owner ×300"), "{out}");
    // 3 in full, the other 297 by group: 7 groups, the biggest first.
    assert!(
        out.contains(
            "297 more info[AM040 missing-owner] findings, by group (every one in `--format json`):"
        ),
        "{out}"
    );
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("    `g")).collect();
    assert_eq!(lines.len(), 7, "one line per group: {lines:#?}");
    let counts: Vec<usize> = lines
        .iter()
        .map(|l| l.split(": ").nth(1).and_then(|r| r.split(' ').next()).unwrap().parse().unwrap())
        .collect();
    assert_eq!(counts.iter().sum::<usize>(), 297);
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "biggest group first: {counts:?}");
    assert!(!out.contains("has no owner\n      (archmap"), "no line per finding");

    let json = run_in(dir.path(), &["check", "--rule", "fan-in=off", "--format", "json"], "");
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let am040 = doc["findings"].as_array().unwrap().iter().filter(|f| f["code"] == "AM040").count();
    assert_eq!(am040, 300, "JSON keeps every finding");
}

#[test]
fn a_finding_with_thousands_of_places_is_counted_in_the_human_report_and_sarif_and_complete_in_json()
 {
    // One shared datastore used by 1,200 components of 1,200 owners: one AM030 with 1,201
    // labels.
    let mut y = String::from(
        "version: 1\nname: Big\nservices:\n  db: { kind: database, owner: data, replicas: 2 }\n",
    );
    for i in 0..1200 {
        let _ = writeln!(y, "  s{i}: {{ owner: t{i}, depends_on: [db] }}");
    }
    let dir = temp_with(&[("archmap.yaml", &y)]);
    let rules = ["--rule", "fan-in=off", "--rule", "single-point-of-failure=off"];
    let args = |format: &'static str| {
        let mut a = vec!["check", "--format", format];
        a.extend(rules);
        a
    };
    let human = run_in(dir.path(), &args("human"), "");
    assert!(
        human.stdout.contains("and 1181 more places (every one in `--format json`)"),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("1200 owners (`t0`,"), "{}", human.stdout);
    assert!(human.stdout.contains("and 1192 more)"), "{}", human.stdout);
    assert!(human.stdout.len() < 20_000, "the report stays short: {} bytes", human.stdout.len());

    let json = run_in(dir.path(), &args("json"), "");
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let f = doc["findings"].as_array().unwrap().iter().find(|f| f["code"] == "AM030").unwrap();
    assert_eq!(f["subjects"].as_array().unwrap().len(), 1201);
    assert_eq!(f["related"].as_array().unwrap().len(), 1200);

    let sarif = run_in(dir.path(), &args("sarif"), "");
    let doc: serde_json::Value = serde_json::from_str(&sarif.stdout).unwrap();
    let r = doc["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "AM030")
        .unwrap();
    assert_eq!(r["relatedLocations"].as_array().unwrap().len(), 100);
    let text = r["message"]["text"].as_str().unwrap();
    assert!(text.contains("(showing 100 of 1200 related locations;"), "{text}");
}

#[test]
fn stats_top_and_sort_keep_the_largest_first_with_ties_in_manifest_order() {
    let y = "version: 1\nname: S\nservices:\n  a: { depends_on: [c, d] }\n  b: { depends_on: [c, d] }\n  e: { depends_on: [d] }\n  c: { depends_on: [d] }\n  d: {}\n";
    let dir = temp_with(&[("archmap.yaml", y)]);
    let out =
        run_in(dir.path(), &["stats", "--format", "json", "--top", "2", "--sort", "fan-in"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let ids: Vec<&str> =
        doc["components"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["d", "c"], "d has 4 callers, c 2");
    let out = run_in(dir.path(), &["stats", "--format", "csv", "--sort", "fan-out"], "");
    let first: Vec<&str> =
        out.stdout.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(first, ["a", "b", "e", "c", "d"], "2, 2, 1, 1, 0: ties in manifest order");
    let out = run_in(dir.path(), &["stats", "--top", "1"], "");
    assert!(
        out.stdout.lines().nth(1).unwrap().starts_with("d "),
        "by blast radius: {}",
        out.stdout
    );
    assert_eq!(out.stdout.lines().take_while(|l| !l.is_empty()).count(), 2, "a title and one row");
}

#[test]
fn stats_estimates_betweenness_above_4096_components_and_says_so() {
    // 4,089 callers, each calling one of 10 hubs, which all call one sink: a hub lies on
    // the one path from each of its callers to the sink.
    let mut y = String::from("version: 1\nname: L\nservices:\n  sink: {}\n");
    for h in 0..10 {
        let _ = writeln!(y, "  hub{h}: {{ depends_on: [sink] }}");
    }
    for i in 0..4089 {
        let _ = writeln!(y, "  c{i}: {{ depends_on: [hub{}] }}", i % 10);
    }
    let dir = temp_with(&[("archmap.yaml", &y)]);
    let out = run_in(
        dir.path(),
        &["stats", "--format", "json", "--top", "3", "--sort", "betweenness"],
        "",
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(doc["summary"]["betweenness_sampled"]["sources"], 2048);
    // hub0 has 409 callers, so its exact betweenness is 409.
    let top = &doc["components"][0];
    assert!(top["id"].as_str().unwrap().starts_with("hub"), "{top}");
    let b = top["betweenness"].as_f64().unwrap();
    assert!((b - 409.0).abs() < 0.25 * 409.0, "{b} vs about 409");
    let table = run_in(dir.path(), &["stats", "--top", "1"], "");
    assert!(
        table.stdout.contains("betweenness: estimated from 2048 of 4100 sources"),
        "{}",
        table.stdout
    );
    let exact =
        run_in(dir.path(), &["stats", "--format", "json", "--top", "1", "--exact-betweenness"], "");
    let doc: serde_json::Value = serde_json::from_str(&exact.stdout).unwrap();
    assert!(doc["summary"].get("betweenness_sampled").is_none());
}

#[test]
fn a_png_whose_boxes_cannot_fit_is_refused_before_the_layout_with_a_scale_that_could() {
    let mut y = String::from("version: 1\nname: Many\nservices:\n");
    for i in 0..1000 {
        let next = (i + 1) % 1000;
        let _ = writeln!(y, "  service-number-{i}: {{ depends_on: [service-number-{next}] }}");
    }
    let dir = temp_with(&[("archmap.yaml", &y)]);
    let out = run_in(
        dir.path(),
        &["render", "-o", "big.png", "--scale", "8", "--rule", "sync-cycle=off"],
        "",
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("cannot fit in 16384×16384 pixels at --scale 8"), "{}", out.stderr);
    let at_most: f64 = out
        .stderr
        .split("; --scale ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("a scale that could fit");
    assert!(at_most > 0.0 && at_most < 8.0, "{at_most}");
    assert!(!dir.path().join("big.png").exists(), "no partial output");
}

#[test]
fn a_png_too_large_after_the_layout_is_refused_before_the_svg_with_the_scale_that_fits() {
    // A chain of 30: few boxes, a tall drawing.
    let mut y = String::from("version: 1\nname: Chain\nservices:\n");
    for i in 0..30 {
        let _ = writeln!(y, "  s{i}: {{ depends_on: [s{}] }}", i + 1);
    }
    y.push_str("  s30: {}\n");
    let dir = temp_with(&[("archmap.yaml", &y)]);
    let out = run_in(dir.path(), &["render", "-q", "-o", "tall.png", "--scale", "25"], "");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(!dir.path().join("tall.png").exists(), "no partial output");
    let fits: f64 = out
        .stderr
        .split("; --scale ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a scale that fits: {}", out.stderr));
    assert!(out.stderr.contains(" fits, or render a view"), "{}", out.stderr);
    // The scale named is the largest, to hundredths, at which the SVG's larger side fits.
    let svg = run_in(dir.path(), &["render", "-q", "--format", "svg"], "");
    let attr = |name: &str| -> f64 {
        let at = svg.stdout.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
        svg.stdout[at..].split('"').next().unwrap().parse().unwrap()
    };
    let side = attr("width").max(attr("height"));
    assert!(fits * side <= 16384.0 && (fits + 0.01) * side > 16384.0, "{fits} × {side}");
}

#[test]
fn the_stats_table_names_the_first_20_articulation_points() {
    let mut y = String::from("version: 1\nname: Line\nservices:\n");
    for i in 0..30 {
        let _ = writeln!(y, "  s{i}: {{ depends_on: [s{}] }}", i + 1);
    }
    y.push_str("  s30: {}\n");
    let dir = temp_with(&[("archmap.yaml", &y)]);
    let table = run_in(dir.path(), &["stats", "--top", "1"], "");
    let line = table.stdout.lines().find(|l| l.starts_with("articulation points")).unwrap();
    assert!(line.ends_with(", s20, and 9 more (every one in --format json)"), "{line}");
    let json = run_in(dir.path(), &["stats", "--format", "json", "--top", "1"], "");
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["summary"]["articulation_points"].as_array().unwrap().len(), 29);
}

#[test]
fn the_estate_shape_is_valid_deterministic_heavy_tailed_and_has_the_cycles_injected() {
    use crate::synth::generator::{Params, generate};
    const N: usize = 2_000;
    let params = Params { estate: true, ..Params::new(N, 5) };
    let synth = generate(&params);
    assert_eq!(synth.yaml, generate(&params).yaml, "the same seed gives the same bytes");
    assert_eq!((synth.sync_cycles, synth.async_cycles), (3, 2));
    let per = synth.edges as f64 / synth.components as f64;
    assert!((8.0..=12.0).contains(&per), "{per} dependencies per component");
    let dir = temp_with(&[("archmap.yaml", &synth.yaml)]);
    let out = run_in(dir.path(), &["stats", "--format", "json", "--no-betweenness"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let rows = doc["components"].as_array().unwrap();
    assert_eq!(rows.len(), synth.components);
    let mut fan_in: Vec<u64> = rows.iter().map(|r| r["fan_in"].as_u64().unwrap()).collect();
    fan_in.sort_unstable();
    let (median, max) = (fan_in[fan_in.len() / 2], fan_in[fan_in.len() - 1]);
    assert!(max as usize > N / 2, "a platform service called by most: {max}");
    assert!((2..=20).contains(&median), "a heavy tail, not a flat graph: median {median}");
    let check = run_in(dir.path(), &["check", "--format", "json"], "");
    let doc: serde_json::Value = serde_json::from_str(&check.stdout).unwrap();
    let count = |code: &str| {
        doc["findings"].as_array().unwrap().iter().filter(|f| f["code"] == code).count()
    };
    assert_eq!(count("AM001") + count("AM002"), 0, "no broken references or ids");
    assert_eq!((count("AM010"), count("AM011")), (3, 2), "one finding per injected cycle");
}
