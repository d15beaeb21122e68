//! Writing the imported manifest: YAML text with a comment on every guess.
//!
//! Input: components and dependencies in compose order. Output: a version 1 manifest.
//! Invariants: deterministic; every scalar that YAML could misread is double-quoted; comments
//! never span lines; secrets in connection strings are masked in comments.

use std::fmt::Write as _;

use super::Component;

/// What the header comment says.
pub(crate) struct Header<'a> {
    /// The command, after `archmap `: `import compose`.
    pub command: &'a str,
    pub name: &'a str,
    pub files: &'a [String],
    /// A note after the files: the profiles enabled, the default namespace.
    pub profiles: &'a str,
    pub left_out: &'a [String],
    /// The comment lines that say what each `x-source` means.
    pub legend: &'a str,
    /// The groups to declare, as (id, label), in order.
    pub groups: &'a [(String, String)],
}

/// What each `x-source` of a compose import means.
pub(crate) const COMPOSE_LEGEND: &str = "# Kinds and protocols with a comment are guesses: review them. `x-source` on each\n\
     # dependency says where it came from: depends_on, links (declared in compose);\n\
     # network_mode, volumes_from, external_links (implied by compose); environment\n\
     # (inferred from a variable that names the service).\n";

/// The manifest text.
pub(crate) fn manifest(header: &Header<'_>, components: &[Component]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Imported by `archmap {}` from {} ({}).",
        header.command,
        comment(&header.files.join(", ")),
        header.profiles
    );
    if !header.left_out.is_empty() {
        let _ = writeln!(out, "# Left out by profiles: {}.", comment(&header.left_out.join(", ")));
    }
    out.push_str(header.legend);
    out.push_str("version: 1\n");
    let _ = writeln!(out, "name: {}", scalar(header.name));
    if !header.groups.is_empty() {
        out.push_str("groups:\n");
        for (id, label) in header.groups {
            if id == label {
                let _ = writeln!(out, "  {}: {{}}", scalar(id));
            } else {
                let _ = writeln!(out, "  {}:\n    label: {}", scalar(id), scalar(label));
            }
        }
    }
    out.push_str("services:\n");
    for c in components {
        for note in &c.notes {
            let _ = writeln!(out, "  # {}", comment(note));
        }
        let empty = c.label.is_none()
            && c.group.is_none()
            && c.kind == crate::vocab::Kind::Service
            && c.image.is_none()
            && c.replicas.is_none()
            && c.deps.is_empty();
        if empty {
            let _ = writeln!(out, "  {}: {{}}", scalar(&c.id));
            continue;
        }
        let _ = writeln!(out, "  {}:", scalar(&c.id));
        if let Some(label) = &c.label {
            let _ = writeln!(out, "    label: {}  # the name where it was read", scalar(label));
        }
        if let Some(group) = &c.group {
            let _ = writeln!(out, "    group: {}", scalar(group));
        }
        if c.kind != crate::vocab::Kind::Service {
            match &c.kind_why {
                Some(why) => {
                    let _ = writeln!(out, "    kind: {}  # {}", c.kind.as_str(), comment(why));
                }
                None => {
                    let _ = writeln!(out, "    kind: {}", c.kind.as_str());
                }
            }
        }
        if let Some(image) = &c.image {
            let _ = writeln!(
                out,
                "    tech: {}  # image",
                scalar(&super::interpolate::truncate(image, 200))
            );
        }
        if let Some((n, from)) = c.replicas {
            let _ = writeln!(out, "    replicas: {n}  # {from}");
        }
        if c.deps.is_empty() {
            continue;
        }
        out.push_str("    depends_on:\n");
        for d in &c.deps {
            let _ = writeln!(out, "      - target: {}", scalar(&components[d.target].id));
            if let Some((p, why)) = &d.protocol {
                let _ = writeln!(out, "        protocol: {}  # {}", scalar(p), comment(why));
            }
            if d.optional {
                out.push_str("        optional: true  # depends_on required: false\n");
            }
            let tag = if d.source.is_inferred() { "inferred from " } else { "" };
            let _ = writeln!(
                out,
                "        x-source: {}  # {tag}{}",
                d.source.as_str(),
                comment(&d.why)
            );
        }
    }
    out
}

/// Text fit for a `#` comment: one line, no control characters, bounded length.
fn comment(text: &str) -> String {
    let one_line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    super::interpolate::truncate(&one_line, 240)
}

/// A YAML scalar: plain when it cannot be misread, else double-quoted (JSON escaping is valid
/// YAML).
pub(crate) fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '/' || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "_-./:@+ ".contains(c))
        && !s.ends_with(' ')
        && !s.ends_with(':')
        && !s.contains(": ")
        && !s.contains(" #")
        && !looks_typed(s);
    if plain { s.to_string() } else { serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into()) }
}

/// Whether YAML 1.2 (or a 1.1 reader) would take a plain scalar for something else than a string.
fn looks_typed(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off" | "y" | "n" | ".inf" | ".nan"
    ) || s.parse::<f64>().is_ok()
        || s.starts_with("0x")
        || s.starts_with("0o")
        || s.contains(':') && s.split(':').all(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// An environment value with passwords hidden: URL user info, and `Password=` style pairs of
/// connection strings.
pub(crate) fn mask(value: &str) -> String {
    let value = super::interpolate::truncate(value, 100);
    let mut parts: Vec<String> = Vec::new();
    for part in value.split(';') {
        let masked = match part.split_once('=') {
            Some((k, _)) if is_secret_key(k) => format!("{k}=***"),
            _ => mask_userinfo(part),
        };
        parts.push(masked);
    }
    parts.join(";")
}

fn is_secret_key(k: &str) -> bool {
    let k = k.trim().to_ascii_lowercase();
    ["password", "pwd", "secret", "token", "key", "accountkey", "sharedaccesskey"]
        .iter()
        .any(|s| k == *s || k.ends_with(s))
}

/// `scheme://user:password@host` → `scheme://user:***@host`.
fn mask_userinfo(part: &str) -> String {
    let Some((scheme, rest)) = part.split_once("://") else {
        return part.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or("");
            let shown =
                if userinfo.contains(':') { format!("{user}:***") } else { user.to_string() };
            format!("{scheme}://{shown}@{host}{tail}")
        }
        None => part.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_are_quoted_when_yaml_could_misread_them() {
        assert_eq!(scalar("orders"), "orders");
        assert_eq!(scalar("redis:alpine"), "redis:alpine");
        assert_eq!(scalar("ghcr.io/x/demo:2.0-cart"), "ghcr.io/x/demo:2.0-cart");
        assert_eq!(scalar("true"), "\"true\"");
        assert_eq!(scalar("yes"), "\"yes\"");
        assert_eq!(scalar("1.5"), "\"1.5\"");
        assert_eq!(scalar("12:30"), "\"12:30\"");
        assert_eq!(scalar(""), "\"\"");
        assert_eq!(scalar("a: b"), "\"a: b\"");
        assert_eq!(scalar("a #b"), "\"a #b\"");
        assert_eq!(scalar("-x"), "\"-x\"");
        assert_eq!(scalar("*x"), "\"*x\"");
        assert_eq!(scalar("line\nbreak"), "\"line\\nbreak\"");
        assert_eq!(scalar("My Shop"), "My Shop");
    }

    #[test]
    fn secrets_are_masked() {
        assert_eq!(mask("postgres://user:pw@db:5432/x"), "postgres://user:***@db:5432/x");
        assert_eq!(mask("redis://cache"), "redis://cache");
        assert_eq!(
            mask("Server=sqldata;Database=d;User Id=sa;Password=Pass@word"),
            "Server=sqldata;Database=d;User Id=sa;Password=***"
        );
        assert_eq!(mask("Host=db;Username=u;Password=p"), "Host=db;Username=u;Password=***");
    }
}
