//! Talking to an existing SPARQL 1.1 server over HTTP: the SPARQL Protocol (queries), the Graph
//! Store HTTP Protocol (a graph per request) and SPARQL Update, with Basic or Digest
//! authentication and retries with exponential backoff on transient failures.
//!
//! [`Remote::send`] is the one place requests leave from; [`push`](crate::http::push) and
//! `factgraph query --endpoint` build on it. HTTP itself is oxhttp's client (no keep-alive, so
//! every request is a new connection; on loopback that costs tens of microseconds).

use md5::Md5;
use oxhttp::model::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER, WWW_AUTHENTICATE};
use oxhttp::model::{Body, HeaderValue, Method, Request, StatusCode};
use oxhttp::Client;
use sha2::{Digest, Sha256};
use std::sync::Mutex;
use std::time::Duration;

/// What can go wrong talking to a server.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    /// The URL given is not an absolute http(s) URL.
    #[error("{url:?} is not an http:// or https:// URL")]
    BadUrl {
        /// The URL given.
        url: String,
    },
    /// The server could not be reached (after the retries).
    #[error("{method} {url}: {source} (after {attempts} attempt{s})", s = if *attempts == 1 { "" } else { "s" })]
    Io {
        /// The request method.
        method: Method,
        /// The URL.
        url: String,
        /// How many times it was tried.
        attempts: u32,
        /// Why the last attempt failed.
        source: std::io::Error,
    },
    /// The server refused the credentials, or none were given and it wants some.
    #[error("{method} {url}: {status} — {}", match (user, *status) {
        (None, StatusCode::UNAUTHORIZED) => "the server wants credentials".to_string(),
        (Some(user), StatusCode::UNAUTHORIZED) => format!("the server refused the credentials of user {user:?}"),
        _ => "the server forbids this request (for writes, check the user's permissions on the server)".to_string(),
    })]
    Unauthorized {
        /// The request method.
        method: Method,
        /// The URL.
        url: String,
        /// 401 or 403.
        status: StatusCode,
        /// The user whose credentials were sent, if any.
        user: Option<String>,
    },
    /// The server answered with an error status.
    #[error("{method} {url}: the server answered {status}{after}: {body}", after = if *attempts > 1 { format!(" (after {attempts} attempts)") } else { String::new() })]
    Status {
        /// The request method.
        method: Method,
        /// The URL.
        url: String,
        /// Its status.
        status: StatusCode,
        /// How many times it was tried.
        attempts: u32,
        /// The start of the response body (what the server said).
        body: String,
    },
    /// A response that does not parse as what was asked for.
    #[error("{url}: cannot read the server's answer: {message}")]
    BadResponse {
        /// The URL.
        url: String,
        /// What is wrong.
        message: String,
    },
}

/// A user name and password for a server.
#[derive(Clone)]
pub struct Credentials {
    /// The user name.
    pub user: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials").field("user", &self.user).field("password", &"…").finish()
    }
}

/// How requests are retried: `retries` more attempts after the first, waiting `backoff`, then
/// twice as long each time (at most 30 s, or what the server's `Retry-After` asks, up to 60 s).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Attempts after the first.
    pub retries: u32,
    /// The first wait.
    pub backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { retries: 5, backoff: Duration::from_millis(250) }
    }
}

/// A response: status, content type and body.
#[derive(Debug)]
pub struct Answer {
    /// The status (a 2xx, or 404 when the caller allowed it).
    pub status: StatusCode,
    /// The `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
    /// Attempts it took.
    pub attempts: u32,
}

/// A client for one or more URLs of a server, with its credentials.
pub struct Remote {
    client: Client,
    credentials: Option<Credentials>,
    retry: RetryPolicy,
    /// The last Digest challenge seen, reused for later requests (with a growing nonce count).
    digest: Mutex<Option<DigestChallenge>>,
    /// Set once the server asked for Basic: later requests send it up front.
    basic: std::sync::atomic::AtomicBool,
}

impl std::fmt::Debug for Remote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remote").field("credentials", &self.credentials).field("retry", &self.retry).finish()
    }
}

/// A request to send.
#[derive(Debug, Clone)]
pub struct Outgoing<'a> {
    /// Method.
    pub method: Method,
    /// Absolute URL.
    pub url: &'a str,
    /// `Content-Type` of the body.
    pub content_type: Option<&'a str>,
    /// `Accept`.
    pub accept: Option<&'a str>,
    /// The body (empty for none).
    pub body: &'a [u8],
    /// Whether a 404 is an answer rather than an error (reading a graph that may not exist).
    pub allow_not_found: bool,
}

impl Remote {
    /// A client with `timeout` per request, optional credentials and a retry policy.
    pub fn new(timeout: Duration, credentials: Option<Credentials>, retry: RetryPolicy) -> Remote {
        let client = Client::new()
            .with_global_timeout(timeout)
            .with_redirection_limit(5)
            .with_user_agent(concat!("factgraph/", env!("CARGO_PKG_VERSION")))
            .expect("the user agent is a valid header value");
        Remote { client, credentials, retry, digest: Mutex::new(None), basic: false.into() }
    }

    /// Checks that `url` is an absolute http(s) URL.
    pub fn check_url(url: &str) -> Result<(), RemoteError> {
        let ok = (url.starts_with("http://") || url.starts_with("https://"))
            && url.parse::<oxhttp::model::Uri>().is_ok_and(|u| u.host().is_some_and(|h| !h.is_empty()));
        if ok { Ok(()) } else { Err(RemoteError::BadUrl { url: url.to_string() }) }
    }

    /// Sends a request: authenticates when the server asks (Basic or Digest), retries connection
    /// failures, 408, 429 and 5xx answers with backoff, and turns any other non-2xx status into
    /// an error carrying what the server said.
    pub fn send(&self, outgoing: &Outgoing<'_>) -> Result<Answer, RemoteError> {
        Remote::check_url(outgoing.url)?;
        let mut attempts = 0u32;
        let mut auth_retried = false;
        let mut wait = self.retry.backoff;
        loop {
            attempts += 1;
            let request = self.build(outgoing)?;
            let failure = match self.client.request(request) {
                Ok(response) => {
                    let status = response.status();
                    if status == StatusCode::UNAUTHORIZED && !auth_retried && self.credentials.is_some() && self.learn_challenge(&response) {
                        // The challenge is now known (or was stale): answer it once.
                        auth_retried = true;
                        attempts -= 1;
                        continue;
                    }
                    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
                        return Err(RemoteError::Unauthorized {
                            method: outgoing.method.clone(),
                            url: outgoing.url.to_string(),
                            status,
                            user: self.credentials.as_ref().map(|c| c.user.clone()),
                        });
                    }
                    let content_type = response.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).map(str::to_string);
                    let retry_after = response
                        .headers()
                        .get(RETRY_AFTER)
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(|s| Duration::from_secs(s.min(60)));
                    let body = response.into_body().to_vec();
                    if status.is_success() || (status == StatusCode::NOT_FOUND && outgoing.allow_not_found) {
                        let body = body.map_err(|source| RemoteError::Io {
                            method: outgoing.method.clone(),
                            url: outgoing.url.to_string(),
                            attempts,
                            source,
                        })?;
                        return Ok(Answer { status, content_type, body, attempts });
                    }
                    let text = body.map(|b| excerpt(&b)).unwrap_or_default();
                    let error = RemoteError::Status { method: outgoing.method.clone(), url: outgoing.url.to_string(), status, attempts, body: text };
                    let transient = status == StatusCode::REQUEST_TIMEOUT || status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error();
                    if !transient {
                        return Err(error);
                    }
                    if let Some(after) = retry_after {
                        wait = wait.max(after);
                    }
                    error
                }
                Err(source) => RemoteError::Io { method: outgoing.method.clone(), url: outgoing.url.to_string(), attempts, source },
            };
            if attempts > self.retry.retries {
                return Err(failure);
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(Duration::from_secs(30)).max(wait);
        }
    }

    fn build(&self, outgoing: &Outgoing<'_>) -> Result<Request<Body>, RemoteError> {
        let bad = || RemoteError::BadUrl { url: outgoing.url.to_string() };
        let mut builder = Request::builder().method(outgoing.method.clone()).uri(outgoing.url);
        if let Some(content_type) = outgoing.content_type {
            builder = builder.header(CONTENT_TYPE, content_type);
        }
        if let Some(accept) = outgoing.accept {
            builder = builder.header(ACCEPT, accept);
        }
        if let Some(value) = self.authorization(&outgoing.method, outgoing.url) {
            builder = builder.header(AUTHORIZATION, HeaderValue::from_str(&value).map_err(|_| bad())?);
        }
        builder.body(Body::from(outgoing.body.to_vec())).map_err(|_| bad())
    }

    /// The `Authorization` header for a request, once the server's scheme is known.
    fn authorization(&self, method: &Method, url: &str) -> Option<String> {
        let credentials = self.credentials.as_ref()?;
        if let Some(challenge) = self.digest.lock().expect("the digest state is not poisoned").as_mut() {
            challenge.count += 1;
            return Some(challenge.authorization(credentials, method.as_str(), &request_target(url), challenge.count));
        }
        if self.basic.load(std::sync::atomic::Ordering::Relaxed) {
            return Some(basic_authorization(credentials));
        }
        None
    }

    /// Reads a 401's challenge; true if there is one to answer (a new or stale Digest nonce, or Basic).
    fn learn_challenge(&self, response: &oxhttp::model::Response<Body>) -> bool {
        for value in response.headers().get_all(WWW_AUTHENTICATE) {
            let Ok(value) = value.to_str() else { continue };
            if let Some(challenge) = DigestChallenge::parse(value) {
                *self.digest.lock().expect("the digest state is not poisoned") = Some(challenge);
                return true;
            }
            if value.trim_start().len() >= 5 && value.trim_start()[..5].eq_ignore_ascii_case("basic") {
                let already = self.basic.swap(true, std::sync::atomic::Ordering::Relaxed);
                return !already;
            }
        }
        false
    }
}

/// The start of a response body, as text on one line, for error messages.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 300 {
        line = line.chars().take(300).collect::<String>() + "…";
    }
    if line.is_empty() { "(no message)".to_string() } else { line }
}

/// The path and query of a URL: what Digest authentication signs.
fn request_target(url: &str) -> String {
    url.parse::<oxhttp::model::Uri>()
        .ok()
        .and_then(|u| u.path_and_query().map(|p| p.as_str().to_string()))
        .unwrap_or_else(|| "/".to_string())
}

fn basic_authorization(credentials: &Credentials) -> String {
    format!("Basic {}", base64(format!("{}:{}", credentials.user, credentials.password).as_bytes()))
}

/// Standard base64 with padding (RFC 4648), for the Basic scheme's one header.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16) | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8) | u32::from(*chunk.get(2).unwrap_or(&0));
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A Digest challenge (RFC 7616): what the server sent in `WWW-Authenticate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestChallenge {
    realm: String,
    nonce: String,
    opaque: Option<String>,
    algorithm: DigestAlgorithm,
    /// Whether the server offered `qop=auth`.
    qop_auth: bool,
    /// The nonce count used so far.
    count: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DigestAlgorithm {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
}

impl DigestChallenge {
    /// Parses a `WWW-Authenticate: Digest …` value; `None` if it is not Digest or lacks a nonce.
    pub fn parse(value: &str) -> Option<DigestChallenge> {
        let value = value.trim_start();
        if value.len() < 7 || !value[..7].eq_ignore_ascii_case("digest ") {
            return None;
        }
        let params = parse_auth_params(&value[7..]);
        let get = |name: &str| params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
        let algorithm = match get("algorithm").unwrap_or_else(|| "MD5".into()).to_ascii_uppercase().as_str() {
            "MD5" => DigestAlgorithm::Md5,
            "MD5-SESS" => DigestAlgorithm::Md5Sess,
            "SHA-256" => DigestAlgorithm::Sha256,
            "SHA-256-SESS" => DigestAlgorithm::Sha256Sess,
            _ => return None,
        };
        let qop_auth = get("qop").is_some_and(|q| q.split(',').any(|q| q.trim().eq_ignore_ascii_case("auth")));
        Some(DigestChallenge { realm: get("realm").unwrap_or_default(), nonce: get("nonce")?, opaque: get("opaque"), algorithm, qop_auth, count: 0 })
    }

    fn hash(&self, text: &str) -> String {
        match self.algorithm {
            DigestAlgorithm::Md5 | DigestAlgorithm::Md5Sess => hex(&Md5::digest(text.as_bytes())),
            DigestAlgorithm::Sha256 | DigestAlgorithm::Sha256Sess => hex(&Sha256::digest(text.as_bytes())),
        }
    }

    /// The `Authorization` value for one request, with client nonce `cnonce`.
    fn authorization_with(&self, credentials: &Credentials, method: &str, uri: &str, count: u32, cnonce: &str) -> String {
        let mut ha1 = self.hash(&format!("{}:{}:{}", credentials.user, self.realm, credentials.password));
        if matches!(self.algorithm, DigestAlgorithm::Md5Sess | DigestAlgorithm::Sha256Sess) {
            ha1 = self.hash(&format!("{ha1}:{}:{cnonce}", self.nonce));
        }
        let ha2 = self.hash(&format!("{method}:{uri}"));
        let nc = format!("{count:08x}");
        let algorithm = match self.algorithm {
            DigestAlgorithm::Md5 => "MD5",
            DigestAlgorithm::Md5Sess => "MD5-sess",
            DigestAlgorithm::Sha256 => "SHA-256",
            DigestAlgorithm::Sha256Sess => "SHA-256-sess",
        };
        let quote = |s: &str| s.replace('\\', "\\\\").replace('"', "\\\"");
        let mut header = format!(
            "Digest username=\"{}\", realm=\"{}\", nonce=\"{}\", uri=\"{}\", algorithm={algorithm}",
            quote(&credentials.user),
            quote(&self.realm),
            quote(&self.nonce),
            quote(uri)
        );
        if self.qop_auth {
            let response = self.hash(&format!("{ha1}:{}:{nc}:{cnonce}:auth:{ha2}", self.nonce));
            header.push_str(&format!(", response=\"{response}\", qop=auth, nc={nc}, cnonce=\"{cnonce}\""));
        } else {
            let response = self.hash(&format!("{ha1}:{}:{ha2}", self.nonce));
            header.push_str(&format!(", response=\"{response}\""));
        }
        if let Some(opaque) = &self.opaque {
            header.push_str(&format!(", opaque=\"{}\"", quote(opaque)));
        }
        header
    }

    fn authorization(&self, credentials: &Credentials, method: &str, uri: &str, count: u32) -> String {
        // The client nonce needs to be unpredictable only against replay by a third party; the
        // time and the count, hashed, are enough for that on a connection we opened ourselves.
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let cnonce = hex(&Sha256::digest(format!("{now}:{count}:{}", std::process::id()).as_bytes()))[..16].to_string();
        self.authorization_with(credentials, method, uri, count, &cnonce)
    }
}

/// `name=value` or `name="quoted value"` pairs, comma-separated (RFC 7235's auth-param).
fn parse_auth_params(text: &str) -> Vec<(String, String)> {
    let mut params = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        let name: String = std::iter::from_fn(|| chars.next_if(|c| *c != '=' && *c != ',' && !c.is_whitespace())).collect();
        if name.is_empty() {
            break;
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.next_if_eq(&'=').is_none() {
            params.push((name, String::new()));
            continue;
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut value = String::new();
        if chars.next_if_eq(&'"').is_some() {
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
        } else {
            value = std::iter::from_fn(|| chars.next_if(|c| *c != ',' && !c.is_whitespace())).collect();
        }
        params.push((name, value));
    }
    params
}

/// Lowercase hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `url` with `name=value` appended to its query string (percent-encoded).
pub fn with_query_param(url: &str, name: &str, value: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{name}={}", crate::http::serve::percent_encode(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mufasa() -> Credentials {
        Credentials { user: "Mufasa".into(), password: "Circle Of Life".into() }
    }

    #[test]
    fn digest_matches_the_rfc_2617_example() {
        let challenge = DigestChallenge::parse(
            r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        )
        .unwrap();
        let header = challenge.authorization_with(&mufasa(), "GET", "/dir/index.html", 1, "0a4f113b");
        assert!(header.contains(r#"response="6629fae49393a05397450978507c4ef1""#), "{header}");
        assert!(header.contains("nc=00000001") && header.contains(r#"opaque="5ccc069c403ebaf9f0171e9517f40e41""#), "{header}");
    }

    #[test]
    fn digest_sha256_matches_the_rfc_7616_example() {
        let challenge = DigestChallenge::parse(
            r#"Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS""#,
        )
        .unwrap();
        // RFC 7616's example spells the password with a lowercase "of".
        let credentials = Credentials { user: "Mufasa".into(), password: "Circle of Life".into() };
        let header = challenge.authorization_with(&credentials, "GET", "/dir/index.html", 1, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
        assert!(header.contains(r#"response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1""#), "{header}");
    }

    #[test]
    fn non_digest_challenges_are_not_parsed_as_digest() {
        assert_eq!(DigestChallenge::parse(r#"Basic realm="x""#), None);
        assert_eq!(DigestChallenge::parse(r#"Digest realm="x""#), None, "no nonce");
        assert_eq!(DigestChallenge::parse(r#"Digest nonce="n", algorithm=SHA-512-256"#), None, "unknown algorithm");
    }

    #[test]
    fn basic_is_base64_of_user_and_password() {
        assert_eq!(basic_authorization(&Credentials { user: "Aladdin".into(), password: "open sesame".into() }), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b""), "");
    }

    #[test]
    fn urls_are_checked_and_extended() {
        assert!(Remote::check_url("http://127.0.0.1:8890/sparql").is_ok());
        assert!(Remote::check_url("ftp://x/").is_err());
        assert!(Remote::check_url("http://").is_err());
        assert_eq!(with_query_param("http://h/store", "graph", "https://x/a b"), "http://h/store?graph=https%3A%2F%2Fx%2Fa%20b");
        assert_eq!(with_query_param("http://h/ds?x=1", "graph", "g"), "http://h/ds?x=1&graph=g");
        assert_eq!(request_target("http://h:1/a/b?graph=c"), "/a/b?graph=c");
    }
}
