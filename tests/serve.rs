//! `factgraph serve` over real sockets: the SPARQL 1.1 Protocol, saved queries as endpoints, the
//! limits, the page in a real headless browser (Debian's chromium), and an independent SPARQL client
//! (Python's SPARQLWrapper).

mod util;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use util::{root, Sandbox};

/// A `factgraph serve` child process on a free loopback port, stopped when dropped.
struct Server {
    child: Child,
    address: SocketAddr,
}

impl Server {
    fn start(sandbox: &Sandbox, extra: &[&str]) -> Server {
        let address = {
            let probe = TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap()
        };
        let store = sandbox.store();
        let child = Command::new(env!("CARGO_BIN_EXE_factgraph"))
            .args(["serve", "--bind", &address.to_string(), "--store", store.to_str().unwrap()])
            .args(extra)
            .current_dir(root())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let started = Instant::now();
        while TcpStream::connect(address).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "the server did not listen on {address}");
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, address }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    fn get(&self, path: &str, accept: &str) -> (u16, String, String) {
        self.send("GET", path, &[("Accept", accept)], b"")
    }

    fn post(&self, path: &str, content_type: &str, body: &str, accept: &str) -> (u16, String, String) {
        self.send("POST", path, &[("Content-Type", content_type), ("Accept", accept)], body.as_bytes())
    }

    /// A minimal HTTP/1.1 exchange over one connection (`Connection: close`): status, content type, body.
    fn send(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String, String) {
        let (status, media, _, payload) = self.exchange(method, path, headers, body);
        (status, media, payload)
    }

    /// A GET's status, the value of one response header, and the body.
    fn get_header(&self, path: &str, accept: &str, name: &str) -> (u16, Option<String>, String) {
        let (status, _, head, payload) = self.exchange("GET", path, &[("Accept", accept)], b"");
        (status, header_value(&head, name), payload)
    }

    /// Status, content type, the response head and the body.
    fn exchange(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, String, String, String) {
        let mut stream = TcpStream::connect(self.address).expect("the server accepts connections");
        stream.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nContent-Length: {}\r\n", self.address, body.len());
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("the server answers");
        let split = response.windows(4).position(|w| w == b"\r\n\r\n").expect("a complete response head");
        let head = String::from_utf8_lossy(&response[..split]).into_owned();
        let mut payload = response[split + 4..].to_vec();
        let status: u16 = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status line");
        let header = |name: &str| header_value(&head, name);
        if header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked")) {
            let mut decoded = Vec::new();
            let mut rest = &payload[..];
            loop {
                let line_end = rest.windows(2).position(|w| w == b"\r\n").expect("a chunk size line");
                let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..line_end]).split(';').next().unwrap().trim(), 16).unwrap();
                rest = &rest[line_end + 2..];
                if size == 0 {
                    break;
                }
                decoded.extend_from_slice(&rest[..size]);
                rest = &rest[size + 2..];
            }
            payload = decoded;
        }
        (status, header("content-type").unwrap_or_default(), head.clone(), String::from_utf8_lossy(&payload).into_owned())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The value of a header in a response head.
fn header_value(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|l| l.split_once(':').filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_string()))
}

fn encode(text: &str) -> String {
    factgraph::http::remote::percent_encode(text)
}

fn loaded() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.run_in_store(&["build", "--export", sandbox.path().join("kb.ttl").to_str().unwrap()]).success();
    sandbox
}

#[test]
fn saved_queries_answer_as_the_cli_does() {
    let sandbox = loaded();
    let server = Server::start(&sandbox, &[]);
    let (status, media, list) = server.get("/queries", "application/json");
    assert_eq!(status, 200);
    assert_eq!(media, "application/json");
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let roles = list["queries"].as_array().unwrap().iter().find(|q| q["name"] == "roles-as-of").expect("roles-as-of is listed");
    assert_eq!(roles["parameters"][0]["name"], "asOf");
    for query in ["roles-as-of", "quotes", "claims", "timeline", "entity", "wikidata-links"] {
        let cli = sandbox.run_in_store(&["query", query, "--format", "tsv"]).success().stdout;
        let (status, media, http) = server.get(&format!("/queries/{query}"), "text/tab-separated-values");
        assert_eq!(status, 200, "{query}: {http}");
        assert!(media.starts_with("text/tab-separated-values"), "{media}");
        assert_eq!(http, cli, "{query} differs between the endpoint and the CLI");
    }
    // Parameters are bound as values, exactly as on the command line.
    let cli = sandbox.run_in_store(&["query", "roles-as-of", "--param", "asOf=2021-10-20", "--format", "csv"]).success().stdout;
    let (_, _, http) = server.get("/queries/roles-as-of?asOf=2021-10-20", "text/csv");
    assert_eq!(http, cli);
    // Name search goes through the store's name index, as on the command line (accents ignored).
    let cli = sandbox.run_in_store(&["query", "find-entity", "--param", "name=STÖLTENBÉRG", "--format", "csv"]).success().stdout;
    let (_, _, http) = server.get("/queries/find-entity?name=ST%C3%96LTENB%C3%89RG", "text/csv");
    assert_eq!(http, cli);
    assert!(http.contains("Jens Stoltenberg"), "{http}");
    let (status, _, message) = server.get("/queries/roles-as-of?asOf=%22%7D%20%3B%20DROP%20ALL%20%23", "text/csv");
    assert_eq!(status, 400);
    assert!(message.contains("is not a date"), "{message}");
    let (status, _, _) = server.get("/queries/no-such-query", "text/csv");
    assert_eq!(status, 404);
    // A page: those rows of the whole result, and the whole result's row count in X-Total-Rows.
    let whole = sandbox.run_in_store(&["query", "claims", "--format", "tsv"]).success().stdout;
    let lines: Vec<&str> = whole.lines().collect();
    let (status, total, page) = server.get_header("/queries/claims?limit=2&offset=1", "text/tab-separated-values", "x-total-rows");
    assert_eq!(status, 200, "{page}");
    assert_eq!(total, Some((lines.len() - 1).to_string()));
    assert_eq!(page.lines().collect::<Vec<_>>(), [lines[0], lines[2], lines[3]]);
    let (_, total, _) = server.get_header("/queries/claims", "text/tab-separated-values", "x-total-rows");
    assert_eq!(total, None, "a whole result has no count header");
    let (status, _, message) = server.get("/queries/claims?limit=99999999", "text/csv");
    assert_eq!(status, 400);
    assert!(message.contains("is more than the"), "{message}");
    // Kept listings, made while the server reads the store, answer the same pages and counts.
    let asked = [
        ("/queries/claims?limit=2&offset=1", "text/tab-separated-values"),
        ("/queries/relations?limit=5&offset=3", "application/sparql-results+json"),
        ("/queries/timeline?limit=4", "text/csv"),
        ("/queries/quotes", "application/sparql-results+xml"),
        ("/queries/articles?offset=1000", "text/tab-separated-values"),
    ];
    let answers = |server: &Server| asked.map(|(path, accept)| server.get_header(path, accept, "x-total-rows"));
    let live = answers(&server);
    sandbox.run_in_store(&["optimize", "--no-compact"]).success().stderr_has("listings kept");
    assert!(sandbox.store().join(factgraph::store::LISTINGS_DIR).join("claims.tsv").is_file());
    assert_eq!(answers(&server), live);
    let (status, _, message) = server.get("/queries/claims?limit=99999999", "text/csv");
    assert_eq!((status, message.contains("is more than the")), (400, true), "{message}");
}

#[test]
fn the_sparql_protocol_with_content_negotiation() {
    let sandbox = loaded();
    let server = Server::start(&sandbox, &[]);
    let query = "PREFIX fg: <https://ns.factgraph.example/ontology#> SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a fg:Person }";
    let (status, media, json) = server.get(&format!("/sparql?query={}", encode(query)), "application/sparql-results+json");
    assert_eq!(status, 200, "{json}");
    assert_eq!(media, "application/sparql-results+json");
    assert!(json.contains("\"11\""), "{json}");
    let (_, media, xml) = server.post("/sparql", "application/sparql-query", query, "application/sparql-results+xml");
    assert_eq!(media, "application/sparql-results+xml");
    assert!(xml.contains(">11</literal>"), "{xml}");
    let (_, media, csv) = server.post("/sparql", "application/x-www-form-urlencoded", &format!("query={}", encode(query)), "text/csv");
    assert_eq!((media.as_str(), csv.as_str()), ("text/csv; charset=utf-8", "n\r\n11\r\n"));
    let construct = "PREFIX fg: <https://ns.factgraph.example/ontology#> CONSTRUCT { ?p a fg:Person } WHERE { ?p a fg:Person }";
    let (status, media, turtle) = server.get(&format!("/sparql?query={}", encode(construct)), "text/turtle");
    assert_eq!(status, 200);
    assert!(media.starts_with("text/turtle"), "{media}");
    assert_eq!(util::parse_rdf(turtle.as_bytes(), oxigraph::io::RdfFormat::Turtle, false).len(), 11);
    let (_, media, _) = server.get(&format!("/sparql?query={}", encode(construct)), "application/n-triples");
    assert_eq!(media, "application/n-triples");
    let (_, media, _) = server.get(&format!("/sparql?query={}", encode(construct)), "application/ld+json");
    assert_eq!(media, "application/ld+json");
    let (_, _, ask) = server.get(&format!("/sparql?query={}", encode("ASK { ?s ?p ?o }")), "application/sparql-results+json");
    assert!(ask.contains("true"), "{ask}");
    let (status, _, _) = server.get(&format!("/sparql?query={}", encode(query)), "image/png");
    assert_eq!(status, 406);
}

#[test]
fn updates_and_hostile_requests_are_refused_and_the_server_survives() {
    let sandbox = loaded();
    let server = Server::start(&sandbox, &["--timeout", "0.5", "--max-results", "50", "--max-request-bytes", "10000"]);
    let (status, _, message) = server.post("/sparql", "application/x-www-form-urlencoded", "update=DROP%20ALL", "*/*");
    assert_eq!(status, 403, "{message}");
    assert_eq!(server.post("/update", "application/sparql-update", "DROP ALL", "*/*").0, 403);
    assert_eq!(server.post("/", "text/plain", "x", "*/*").0, 405);
    let (status, _, message) = server.get(&format!("/sparql?query={}", encode("SELECT * WHERE { ?s ?p }")), "*/*");
    assert_eq!(status, 400);
    assert!(!message.is_empty());
    // Too many results, too large a request, too long a query.
    let (status, _, message) = server.get(&format!("/sparql?query={}", encode("SELECT * WHERE { ?s ?p ?o }")), "*/*");
    assert_eq!(status, 400);
    assert!(message.contains("more than 50 rows"), "{message}");
    let big = format!("query={}", "a".repeat(20_000));
    let (status, _, message) = server.post("/sparql", "application/x-www-form-urlencoded", &big, "*/*");
    assert_eq!(status, 413, "{message}");
    let slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }";
    let started = Instant::now();
    let (status, _, message) = server.get(&format!("/sparql?query={}", encode(slow)), "*/*");
    assert_eq!(status, 503, "{message}");
    assert!(started.elapsed() < Duration::from_secs(20), "the timeout did not stop the query");
    assert!(message.contains("ran longer than 0.5 s"), "{message}");
    // A query that reads nothing from the store never looks at its cancellation (Oxigraph checks it
    // as it reads quads) and groups ten million rows (some 25 s): it is answered at the timeout all
    // the same.
    let digits = "{0 1 2 3 4 5 6 7 8 9}";
    let unstoppable = format!(
        "SELECT (COUNT(*) AS ?n) WHERE {{ {} FILTER(STRSTARTS(SHA512(CONCAT(STR(?a), STR(?b), STR(?c), STR(?d), STR(?e), STR(?f), STR(?g))), \"0\")) }}",
        ["a", "b", "c", "d", "e", "f", "g"].map(|v| format!("VALUES ?{v} {digits}")).join(" ")
    );
    let started = Instant::now();
    let (status, _, message) = server.get(&format!("/sparql?query={}", encode(&unstoppable)), "*/*");
    assert_eq!(status, 503, "{message}");
    assert!(started.elapsed() < Duration::from_secs(5), "answered after {:?}, not at the timeout", started.elapsed());
    // Deeply nested and malformed requests get errors, not a crashed server.
    let nested = format!("SELECT * WHERE {{ FILTER({}1{}) }}", "(".repeat(5_000), ")".repeat(5_000));
    let status = server.post("/sparql", "application/sparql-query", &nested, "*/*").0;
    assert!((400..500).contains(&status), "{status}");
    let (status, _, _) = server.get("/sparql?query=%FF%FE", "*/*");
    assert!((400..500).contains(&status), "{status}");
    assert_eq!(server.get("/queries", "application/json").0, 200, "the server is still up");
}

#[test]
fn stalled_clients_are_cut_off_and_cannot_hold_the_server() {
    let sandbox = loaded();
    let server = Server::start(&sandbox, &["--max-connections", "2", "--client-timeout", "1"]);
    // Two clients take both connection slots and stall in the middle of their request head.
    let mut stalled: Vec<TcpStream> = (0..2)
        .map(|_| {
            let mut stream = TcpStream::connect(server.address).unwrap();
            stream.write_all(b"GET /queries HTTP/1.1\r\nHost: x\r\n").unwrap();
            stream
        })
        .collect();
    // A third client is still answered, once the stalled ones have been cut off.
    let started = Instant::now();
    assert_eq!(server.get("/queries", "application/json").0, 200);
    assert!(started.elapsed() < Duration::from_secs(15), "served after {:?}", started.elapsed());
    for stream in &mut stalled {
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut rest = Vec::new();
        // Closed by the server: end of stream (possibly after an error response), not a read timeout.
        let result = stream.read_to_end(&mut rest);
        assert!(result.is_ok() || result.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset), "{result:?}");
    }
}

#[test]
fn the_entity_page_shows_what_is_known_with_its_sources() {
    let sandbox = loaded();
    let server = Server::start(&sandbox, &[]);
    let (status, media, page) = server.get(&format!("/entity?iri={}", encode("https://factgraph.example/kb/entity/Q7184")), "text/html");
    assert_eq!(status, 200);
    assert!(media.starts_with("text/html"));
    assert!(page.contains("<h1 id=\"entity-name\">NATO</h1>"), "{page}");
    assert!(page.contains("https://www.wikidata.org/wiki/Q7184"), "{page}");
    assert!(page.contains("NATO Secretary General Jens Stoltenberg"), "the evidence sentence: {page}");
    assert!(page.contains("/entity?iri=https%3A%2F%2Ffactgraph.example%2Fkb%2Fentity%2Fperson%2Fjens-stoltenberg"), "{page}");
    // The summary comes first: counts by kind, the most recent roles; then a section a kind.
    let summary = page.find("id=\"summary\"").expect("a summary");
    assert!(summary < page.find("id=\"kind-entity\"").expect("the entity section"), "{page}");
    assert!(page.contains("<td><a href=\"#kind-role\">role</a></td>"), "{page}");
    assert!(page.contains("id=\"recent-roles\""), "{page}");
    // Sections page: two rows at a time, the next link moves that section only.
    let small = server.get(&format!("/entity?iri={}&limit=2", encode("https://factgraph.example/kb/entity/Q7184")), "text/html").2;
    let entity_rows = |html: &str, id: &str| {
        let start = html.find(&format!("<section id=\"{id}\">")).expect("the section");
        let end = start + html[start..].find("</section>").unwrap();
        html[start..end].to_string()
    };
    let first = entity_rows(&small, "kind-entity");
    assert!(first.contains("rows 1–2 of "), "{first}");
    assert_eq!(first.matches("<tr><td>entity</td>").count(), 2, "{first}");
    let next = first.find("class=\"next\" href=\"").map(|i| i + "class=\"next\" href=\"".len()).expect("a next link");
    let href = first[next..next + first[next..].find('"').unwrap()].replace("&amp;", "&");
    let second = server.get(&href, "text/html").2;
    let moved = entity_rows(&second, "kind-entity");
    assert!(moved.contains("rows 3–4 of ") && moved.contains("class=\"previous\""), "{moved}");
    assert_ne!(moved, first);
    assert!(entity_rows(&second, "kind-role").contains("rows 1–"), "other sections stay on their first page");
    let (status, _, index) = server.get("/", "text/html");
    assert_eq!(status, 200);
    assert!(index.contains("<h1>factgraph</h1>") && !index.contains("http://") || index.contains("wikidata.org"), "no external assets");
}

/// Headless Chromium (Debian's package) opens the page, runs a saved query, follows an entity link
/// from the results and finds the entity's facts.
#[test]
fn the_page_works_in_a_real_browser() {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("Debian's chromium must be installed (.ci/run installs it): apt-get install -y chromium");
    let sandbox = loaded();
    let server = Server::start(&sandbox, &[]);
    let profile = sandbox.path().join("chromium-profile");
    let dump = |url: &str| -> String {
        let output = Command::new(chromium)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--virtual-time-budget=10000",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("--dump-dom")
            .arg(url)
            .output()
            .expect("chromium runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    // The page lists the saved queries and runs one (as a shared link to results does).
    let dom = dump(&server.url("/?run=roles-as-of&asOf=2021-10-21"));
    assert!(dom.contains("data-ran=\"roles-as-of\""), "the query did not run:\n{dom}");
    assert!(dom.contains("id=\"query-timeline\""), "the saved queries are not listed:\n{dom}");
    assert!(dom.contains("<td>Jens Stoltenberg</td>"), "the results lack Stoltenberg:\n{dom}");
    // Page through a listing: the first page of two rows says how many there are, its next link
    // shows rows 3-4 and links back.
    let first = dump(&server.url("/?run=claims&limit=2"));
    assert!(first.contains("data-ran=\"claims\""), "the query did not run:\n{first}");
    let total = sandbox.run_in_store(&["query", "claims", "--format", "tsv"]).success().stdout.lines().count() - 1;
    assert!(first.contains(&format!("rows 1–2 of {total}")), "no pager:\n{first}");
    let next = first.find("class=\"next\"").and_then(|i| first[..i].rfind("href=\"")).expect("a next link") + "href=\"".len();
    let href = first[next..next + first[next..].find('"').unwrap()].replace("&amp;", "&");
    let second = dump(&server.url(&href));
    assert!(second.contains(&format!("rows 3–4 of {total}")) && second.contains("class=\"previous\""), "the next page:\n{second}");
    // Follow the first entity link of the results.
    let start = dom.find("class=\"entity\"").and_then(|i| dom[..i].rfind("href=\"")).expect("an entity link") + "href=\"".len();
    let href = dom[start..start + dom[start..].find('"').unwrap()].replace("&amp;", "&");
    assert!(href.starts_with("/entity?iri="), "{href}");
    let entity = dump(&server.url(&href));
    assert!(entity.contains("id=\"facts\""), "no facts table:\n{entity}");
    assert!(entity.contains("<td>role</td>") || entity.contains("<td>entity</td>"), "no facts:\n{entity}");
}

/// An independent SPARQL client (Python's SPARQLWrapper) gets the CLI's answers.
#[test]
fn an_independent_sparql_client_gets_the_cli_answers() {
    let sandbox = loaded();
    let server = Server::start(&sandbox, &[]);
    let query = std::fs::read_to_string(root().join("queries/quotes.rq")).unwrap();
    let script = format!(
        "import sys\nfrom SPARQLWrapper import SPARQLWrapper, JSON\nw = SPARQLWrapper({endpoint:?})\nw.setQuery(sys.stdin.read())\nw.setReturnFormat(JSON)\nr = w.query().convert()\nfor b in r['results']['bindings']:\n    print(b['speakerLabel']['value'] + '\\t' + b['text']['value'])\n",
        endpoint = server.url("/sparql")
    );
    let mut child = Command::new("python3")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), query.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "SPARQLWrapper failed (install it: pip install SPARQLWrapper; .ci/run does): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let python = String::from_utf8(output.stdout).unwrap();
    let json = sandbox.run_in_store(&["query", "quotes", "--format", "json"]).success().stdout;
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let cli: String = json["results"]["bindings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| format!("{}\t{}\n", b["speakerLabel"]["value"].as_str().unwrap(), b["text"]["value"].as_str().unwrap()))
        .collect();
    assert_eq!(python, cli);
    assert_eq!(python.lines().count(), 12);
}
