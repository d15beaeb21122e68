//! `archmap import kubernetes`: the corpus of real Kubernetes manifests (every system imports
//! into a manifest that checks without errors; counts per system held; edges checked by hand on
//! the smaller systems), the name forms, and malformed input.

use std::collections::BTreeSet;
use std::path::PathBuf;

use crate::support::{Output, root, run_in, temp_with};

/// Every corpus system: (directory, components, routed dependencies, inferred dependencies).
///
/// Components: one per workload (`kind:` `Deployment`, `StatefulSet`, `DaemonSet`, `Job`, `CronJob`, `Pod`)
/// plus one per Ingress or Route; [`components_are_the_workloads_and_entry_points`] recounts
/// them from the raw files. Dependencies: the smaller systems are listed edge by edge in
/// [`smaller_systems_edges_by_hand`]; the larger ones are held here so that a change shows.
const SYSTEMS: &[(&str, usize, usize, usize)] = &[
    ("aks-store-demo", 9, 0, 5),
    ("aks-store-ingress-quickstart", 5, 1, 1),
    ("azure-voting-app", 2, 0, 1),
    ("bank-of-anthos", 9, 0, 15),
    ("dapr-distributed-calculator", 5, 0, 0),
    ("dsb-hotel-reservation", 19, 0, 0),
    ("dsb-media-microservices", 34, 1, 0),
    ("dsb-social-network", 31, 0, 0),
    ("emojivoto", 4, 0, 3),
    ("example-voting-app", 5, 0, 0),
    ("ftgo", 13, 0, 26),
    ("istio-bookinfo", 6, 0, 0),
    ("k8s-guestbook", 3, 0, 0),
    ("online-boutique", 12, 0, 16),
    ("otel-astronomy-shop", 25, 0, 54),
    ("reddog", 9, 0, 0),
    ("robot-shop", 13, 0, 1),
    ("sock-shop", 14, 0, 1),
    ("spring-petclinic-cloud", 5, 0, 4),
    ("teastore", 7, 0, 6),
    ("train-ticket", 64, 0, 0),
];

fn corpus() -> PathBuf {
    root().join("tests/fixtures/k8s")
}

fn import(dir: &str) -> Output {
    run_in(&corpus(), &["import", "kubernetes", dir], "")
}

fn yaml(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// (component, target, x-source) of every dependency in a manifest.
fn edges(manifest: &str) -> Vec<(String, String, String)> {
    let doc = yaml(manifest);
    let mut out = Vec::new();
    for (id, svc) in doc["services"].as_object().expect("services") {
        for d in svc["depends_on"].as_array().map(Vec::as_slice).unwrap_or_default() {
            out.push((
                id.clone(),
                d["target"].as_str().expect("long form").to_string(),
                d["x-source"].as_str().expect("x-source").to_string(),
            ));
        }
    }
    out
}

fn pairs(manifest: &str) -> BTreeSet<(String, String)> {
    edges(manifest).into_iter().map(|(a, b, _)| (a, b)).collect()
}

fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items.iter().map(|(a, b)| ((*a).to_string(), (*b).to_string())).collect()
}

#[test]
fn every_corpus_system_imports_checks_clean_and_keeps_its_counts() {
    for &(dir, components, routed, inferred) in SYSTEMS {
        let out = import(dir);
        assert_eq!(out.code, 0, "{dir}: {}", out.stderr);
        let checked = run_in(&corpus(), &["check", "-", "--format", "json"], &out.stdout);
        let report: serde_json::Value = serde_json::from_str(&checked.stdout).unwrap();
        assert_eq!(report["summary"]["error"], 0, "{dir}: {}", checked.stdout);
        let doc = yaml(&out.stdout);
        assert_eq!(doc["services"].as_object().unwrap().len(), components, "{dir}");
        let got = edges(&out.stdout);
        let count =
            |sources: &[&str]| got.iter().filter(|e| sources.contains(&e.2.as_str())).count();
        assert_eq!(count(&["ingress", "route"]), routed, "{dir}");
        assert_eq!(count(&["environment", "configmap", "args"]), inferred, "{dir}");
        assert_eq!(got.len(), routed + inferred, "{dir}: only known sources");
        let unique: BTreeSet<_> = got.iter().map(|(a, b, _)| (a, b)).collect();
        assert_eq!(unique.len(), got.len(), "{dir}: one dependency per target");
        // Nothing leaves a passive component.
        for (a, _, _) in &got {
            let kind = doc["services"][a]["kind"].as_str().unwrap_or("service");
            assert!(
                !["database", "cache", "queue", "topic", "storage"].contains(&kind),
                "{dir}: {a} is {kind}"
            );
        }
        assert_eq!(import(dir).stdout, out.stdout, "{dir}: deterministic");
    }
}

#[test]
fn components_are_the_workloads_and_entry_points() {
    for &(dir, components, _, _) in SYSTEMS {
        let mut n = 0;
        for entry in std::fs::read_dir(corpus().join(dir)).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            n += text
                .lines()
                .filter(|l| {
                    let kind = l.trim_end().strip_prefix("kind: ").unwrap_or("");
                    [
                        "Deployment",
                        "StatefulSet",
                        "DaemonSet",
                        "Job",
                        "CronJob",
                        "Pod",
                        "Ingress",
                        "Route",
                        "HTTPRoute",
                    ]
                    .contains(&kind)
                })
                .count();
        }
        assert_eq!(n, components, "{dir}");
    }
}

/// Counted by reading every `env`, `envFrom`, `ConfigMap`, `command` and `args` of these files:
/// an edge where a value names a Service of the input (as a URL, `host:port`, an address
/// variable, or a variable named after what the Service runs), none where the address lives in
/// code, a Secret or a file the YAML does not hold.
#[test]
fn smaller_systems_edges_by_hand() {
    let cases: &[(&str, &[(&str, &str)])] = &[
        // REDIS=azure-vote-back.
        ("azure-voting-app", &[("azure-vote-front", "azure-vote-back")]),
        // WEB_HOST=web-svc:80 (Service web-svc selects Deployment web); EMOJISVC_HOST and
        // VOTINGSVC_HOST.
        ("emojivoto", &[("vote-bot", "web"), ("web", "emoji"), ("web", "voting")]),
        // The Ingress to store-front; ORDER_QUEUE_HOSTNAME=rabbitmq from a ConfigMap.
        (
            "aks-store-ingress-quickstart",
            &[("store-front-ingress", "store-front"), ("order-service", "rabbitmq")],
        ),
        (
            "aks-store-demo",
            &[
                ("order-service", "rabbitmq"),
                ("makeline-service", "rabbitmq"),
                ("makeline-service", "documentdb"),
                ("virtual-customer", "order-service"),
                ("virtual-worker", "makeline-service"),
            ],
        ),
        // mongo=user-db:27017 (a host:port in a variable called `mongo`).
        ("sock-shop", &[("user", "user-db")]),
        // HOST=http://web:8080/ in the load generator.
        ("robot-shop", &[("load", "web")]),
        (
            "teastore",
            &[
                ("teastore-persistence", "teastore-registry"),
                ("teastore-persistence", "teastore-db"),
                ("teastore-auth", "teastore-registry"),
                ("teastore-image", "teastore-registry"),
                ("teastore-recommender", "teastore-registry"),
                ("teastore-webui", "teastore-registry"),
            ],
        ),
        (
            "online-boutique",
            &[
                ("frontend", "productcatalogservice"),
                ("frontend", "currencyservice"),
                ("frontend", "cartservice"),
                ("frontend", "recommendationservice"),
                ("frontend", "shippingservice"),
                ("frontend", "checkoutservice"),
                ("frontend", "adservice"),
                ("cartservice", "redis-cart"),
                ("loadgenerator", "frontend"),
                ("recommendationservice", "productcatalogservice"),
                ("checkoutservice", "productcatalogservice"),
                ("checkoutservice", "shippingservice"),
                ("checkoutservice", "paymentservice"),
                ("checkoutservice", "emailservice"),
                ("checkoutservice", "currencyservice"),
                ("checkoutservice", "cartservice"),
            ],
        ),
        // The metrics exporter's URI names the proxy by its full name,
        // `proxy://wavefront-proxy.spring-petclinic.svc.cluster.local:2878`.
        (
            "spring-petclinic-cloud",
            &[
                ("api-gateway", "wavefront-proxy"),
                ("customers-service", "wavefront-proxy"),
                ("vets-service", "wavefront-proxy"),
                ("visits-service", "wavefront-proxy"),
            ],
        ),
        // `envFrom` ConfigMaps: the database URLs, and service-api-config (five `*_API_ADDR`)
        // given to the frontend and to the ledger writer.
        (
            "bank-of-anthos",
            &[
                ("balancereader", "ledger-db"),
                ("contacts", "accounts-db"),
                ("frontend", "ledgerwriter"),
                ("frontend", "balancereader"),
                ("frontend", "transactionhistory"),
                ("frontend", "contacts"),
                ("frontend", "userservice"),
                ("ledgerwriter", "balancereader"),
                ("ledgerwriter", "transactionhistory"),
                ("ledgerwriter", "contacts"),
                ("ledgerwriter", "userservice"),
                ("ledgerwriter", "ledger-db"),
                ("loadgenerator", "frontend"),
                ("transactionhistory", "ledger-db"),
                ("userservice", "accounts-db"),
            ],
        ),
        // Addresses in application code or Dapr app ids: nothing to infer.
        ("example-voting-app", &[]),
        ("k8s-guestbook", &[]),
        ("istio-bookinfo", &[]),
        ("dapr-distributed-calculator", &[]),
        // The UI's URLs are in a Secret the YAML does not hold.
        ("reddog", &[]),
    ];
    for (dir, expected) in cases {
        let out = import(dir);
        assert_eq!(out.code, 0, "{dir}: {}", out.stderr);
        assert_eq!(pairs(&out.stdout), set(expected), "{dir}\n{}", out.stdout);
    }
}

#[test]
fn kinds_replicas_and_sources_are_written_with_their_reasons() {
    let out = import("online-boutique");
    let doc = yaml(&out.stdout);
    assert_eq!(doc["services"]["redis-cart"]["kind"], "cache");
    assert!(
        out.stdout.contains("kind: cache  # inferred from image redis:alpine"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(
            "x-source: environment  # inferred from server: CART_SERVICE_ADDR=cartservice:7070"
        ),
        "{}",
        out.stdout
    );
    let out = import("bank-of-anthos");
    assert!(out.stdout.contains("x-source: configmap  # inferred from"), "{}", out.stdout);
    assert!(out.stdout.contains("accounts-admin:***@accounts-db"), "passwords masked");
    let doc = yaml(&out.stdout);
    assert_eq!(doc["services"]["ledger-db"]["kind"], "database");
    let out = import("dsb-media-microservices");
    let doc = yaml(&out.stdout);
    assert_eq!(doc["services"]["nginx-web-server-route"]["kind"], "gateway");
    let out = import("ftgo");
    let doc = yaml(&out.stdout);
    assert_eq!(doc["services"]["ftgo-dynamodb-local-init"]["kind"], "job");
}

const STREAM: &str = "\
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: db, namespace: data}
  spec: {selector: {app: pg}}
- apiVersion: apps/v1
  kind: StatefulSet
  metadata: {name: postgres, namespace: data}
  spec:
    replicas: 3
    template:
      metadata: {labels: {app: pg}}
      spec:
        containers:
        - name: pg
          image: registry.local/acme/pg:16
          volumeMounts: [{name: d, mountPath: /var/lib/postgresql/data}]
          env: [{name: PEER, value: api.shop.svc.cluster.local}]
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {selector: {app: api, tier: backend}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: urls, namespace: shop}
data: {CACHE_URL: \"redis://cache.shop.svc:6379\"}
---
apiVersion: v1
kind: Service
metadata: {name: cache, namespace: shop}
spec: {selector: {app: cache}}
---
apiVersion: v1
kind: Service
metadata: {name: payments, namespace: shop}
spec: {type: ExternalName, externalName: api.payments.example}
--- # a comment after the marker
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop, labels: {app.kubernetes.io/part-of: store}}
spec:
  replicas: 2
  template:
    metadata: {labels: {app: api, tier: backend, app.kubernetes.io/part-of: store}}
    spec:
      initContainers:
      - name: wait
        image: busybox
        command: [sh, -c, 'until nc -z db.data 5432; do sleep 1; done']
      containers:
      - name: api
        image: acme/api
        env:
        - {name: DB_SERVER, value: db.data}
        - {name: DSN, value: 'postgres://u:p@$(DB_SERVER):5432/x'}
        - {name: ESCAPED, value: '$$(DB_SERVER)'}
        - {name: PAY_URL, value: 'https://payments/v1'}
        - {name: NOTE, value: 'talk to cache someday'}
        - name: C
          valueFrom: {configMapKeyRef: {name: urls, key: CACHE_URL}}
        args: ['--worker-addr=worker:9000']
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cache, namespace: shop}
spec:
  template:
    metadata: {labels: {app: cache}}
    spec:
      containers: [{name: c, image: redis:7}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers: [{name: w, image: acme/worker, env: [{name: API_ADDR, value: 'api:8080'}]}]
---
apiVersion: v1
kind: Service
metadata: {name: worker, namespace: shop}
spec: {selector: {app: worker}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: public, namespace: shop}
spec:
  parentRefs: [{name: edge}]
  rules:
  - backendRefs: [{name: api, port: 80}]
";

#[test]
fn name_forms_configmaps_expansion_routes_and_namespaces() {
    let out = run_in(&corpus(), &["import", "kubernetes", "-", "--name", "Shop"], STREAM);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let got = edges(&out.stdout);
    let mut expected = vec![
        // `db.data` (svc.ns) as DB_SERVER and, expanded, in the DSN; the init container's
        // shell line names `db.data` without a port or URL: not an address.
        ("api", "postgres", "environment"),
        // `redis://cache.shop.svc:6379` from the ConfigMap.
        ("api", "cache", "configmap"),
        // An ExternalName Service: an external component.
        ("api", "payments", "environment"),
        ("api", "worker", "args"),
        ("public", "api", "route"),
    ];
    expected.sort_unstable();
    let mut got_ref: Vec<(&str, &str, &str)> =
        got.iter().map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str())).collect();
    got_ref.sort_unstable();
    // worker → api closes a sync cycle with api → worker: left out with a note and AM205.
    assert_eq!(got_ref, expected, "{}", out.stdout);
    assert!(out.stderr.contains("AM205"), "{}", out.stderr);
    assert!(out.stdout.contains("# not added (it would close the sync cycle"), "{}", out.stdout);
    let doc = yaml(&out.stdout);
    let s = &doc["services"];
    assert_eq!(s["postgres"]["kind"], "database");
    assert!(out.stdout.contains("inferred from the mount /var/lib/postgresql/data"));
    assert_eq!(s["postgres"]["replicas"], 3);
    assert_eq!(s["api"]["replicas"], 2);
    assert_eq!(s["payments"]["kind"], "external");
    assert_eq!(s["public"]["kind"], "gateway");
    // Two namespaces: a group each.
    assert_eq!(s["postgres"]["group"], "data");
    assert_eq!(s["api"]["group"], "shop");
    assert_eq!(s["public"]["group"], "shop", "an entry point sits in its namespace");
    assert!(doc["groups"]["data"].is_object() && doc["groups"]["shop"].is_object());
    // Nothing out of the database, though its PEER names the api.
    assert!(s["postgres"]["depends_on"].is_null());
    let checked = run_in(&corpus(), &["check", "-"], &out.stdout);
    assert_eq!(checked.code, 0, "{}", checked.stdout);

    // A label instead of namespaces.
    let out = run_in(
        &corpus(),
        &["import", "kubernetes", "-", "--group-by", "app.kubernetes.io/part-of"],
        STREAM,
    );
    let doc = yaml(&out.stdout);
    assert_eq!(doc["services"]["api"]["group"], "store");
    assert!(doc["services"]["postgres"]["group"].is_null());
}

#[test]
fn unnamespaced_objects_join_the_namespace_given() {
    let text = "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {selector: {app: db}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db, namespace: a}\nspec: {template: {metadata: {labels: {app: db}}, spec: {containers: [{name: d, image: mysql}]}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app, namespace: a}\nspec: {template: {spec: {containers: [{name: d, image: x, env: [{name: DB_HOST, value: db}]}]}}}\n";
    // The one namespace named: the Service joins it.
    let out = run_in(&corpus(), &["import", "kubernetes", "-"], text);
    assert_eq!(pairs(&out.stdout), set(&[("app", "db")]), "{}", out.stdout);
    // Another namespace: the Service is elsewhere, nothing resolves.
    let out = run_in(&corpus(), &["import", "kubernetes", "-", "-n", "other"], text);
    assert_eq!(pairs(&out.stdout), set(&[]), "{}", out.stdout);
}

#[test]
fn malformed_input_exits_2_with_a_place_and_writes_nothing() {
    let out =
        run_in(&corpus(), &["import", "kubernetes", "-"], "kind: Deployment\n---\na: [1, 2\n");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("AM206"), "{}", out.stderr);
    assert!(out.stderr.contains("<stdin>:3:"), "the line in the stream: {}", out.stderr);
    assert!(out.stdout.is_empty());
    let out = run_in(
        &corpus(),
        &["import", "kubernetes", "-"],
        "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n",
    );
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("AM207") && out.stderr.contains("no workloads"), "{}", out.stderr);
    let out = run_in(&corpus(), &["import", "kubernetes", "-"], "- 1\n- 2\n---\n\"just text\"\n");
    assert_eq!(out.code, 2, "{}", out.stderr);
    let dir = temp_with(&[("bin.yaml", "")]);
    std::fs::write(dir.path().join("bin.yaml"), [0xff_u8, 0xfe, 0x00]).unwrap();
    let out = run_in(dir.path(), &["import", "kubernetes", "bin.yaml"], "");
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("not UTF-8"), "{}", out.stderr);
}

#[test]
fn directories_are_read_recursively_and_output_is_never_overwritten_without_force() {
    let dir = temp_with(&[
        (
            "k/a/app.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec: {template: {spec: {containers: [{name: a, image: x}]}}}\n",
        ),
        (
            "k/b.yml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec: {template: {spec: {containers: [{name: a, image: nginx}]}}}\n",
        ),
        ("k/notes.txt", "kind: Deployment"),
        ("archmap.yaml", "# hand-edited\n"),
    ]);
    let out = run_in(dir.path(), &["import", "kubernetes", "k", "-o", "archmap.yaml"], "");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--force"), "{}", out.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("archmap.yaml")).unwrap(),
        "# hand-edited\n"
    );
    let out =
        run_in(dir.path(), &["import", "kubernetes", "k", "-o", "archmap.yaml", "--force"], "");
    assert_eq!(out.code, 0, "{}", out.stderr);
    let written = std::fs::read_to_string(dir.path().join("archmap.yaml")).unwrap();
    let doc = yaml(&written);
    let ids: Vec<&String> = doc["services"].as_object().unwrap().keys().collect();
    assert_eq!(ids, ["app", "b"]);
    assert_eq!(doc["services"]["b"]["kind"], "gateway");
    assert_eq!(doc["name"], "k");
}

#[test]
fn every_workload_kind_and_the_older_ingress_form() {
    let text = "\
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: c, image: acme/report, env: [{name: API_URL, value: 'http://api'}]}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec: {template: {spec: {containers: [{name: a, image: acme/agent, args: ['--collector=http://api:4318']}]}}}
---
apiVersion: v1
kind: Pod
metadata: {name: api, labels: {app: api}}
spec: {containers: [{name: api, image: acme/api}]}
---
apiVersion: v1
kind: Service
metadata: {name: api}
spec: {selector: {app: api}}
---
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: api}
spec: {backend: {serviceName: api, servicePort: 80}, rules: [{http: {paths: [{backend: {serviceName: missing, servicePort: 80}}]}}]}
";
    let out = run_in(&corpus(), &["import", "kubernetes", "-"], text);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = yaml(&out.stdout);
    assert_eq!(doc["services"]["nightly"]["kind"], "job");
    assert!(doc["services"]["agent"].is_object());
    // The Ingress is named after its object; a workload has that name already.
    assert_eq!(doc["services"]["api-ingress"]["kind"], "gateway");
    assert_eq!(
        pairs(&out.stdout),
        set(&[("nightly", "api"), ("agent", "api"), ("api-ingress", "api")])
    );
    assert!(
        out.stderr.contains("warning[AM208 kubernetes-reference]")
            && out.stderr.contains("`missing`"),
        "{}",
        out.stderr
    );
}
