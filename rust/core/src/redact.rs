//! Secrets out of messages: header values (usually tokens) and URL
//! passwords never appear in errors, which end up in `get_stats()`, the
//! Godot output and the game's logs.

/// `url` without the `user:password@` part.
pub fn without_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(url.len(), |i| scheme_end + i);
    match url[scheme_end..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..scheme_end], &url[scheme_end + at + 1..]),
        None => url.to_string(),
    }
}

/// `text` with every configured header value replaced: a receiver may echo
/// the token it refused in its answer.
pub fn redact(mut text: String, headers: &[(String, String)]) -> String {
    for (_, value) in headers {
        // Short values ("1", "json") are not secrets and would mangle text.
        if value.len() >= 6 && text.contains(value.as_str()) {
            text = text.replace(value.as_str(), "<redacted>");
        }
    }
    text
}
