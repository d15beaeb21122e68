//! Which checks run, at which level, with which parameters.
//!
//! Input: the root manifest's `rules` section and `--rule ID=LEVEL` overrides. Output: a
//! [`Config`]. Unknown rules and parameters, wrong types and out-of-range values are fatal
//! diagnostics, reported all together.

use std::collections::BTreeMap;

use super::registry;
use super::rule::{Param, ParamKind, RuleMeta};
use crate::diagnostic::{Diagnostic, Severity, did_you_mean};
use crate::manifest::{ParamValue, RuleSpec, codes};
use crate::vocab::Level;

/// Level and parameters of each check that the manifest or command line changed.
#[derive(Clone, Debug, Default)]
pub struct Config {
    levels: BTreeMap<&'static str, Level>,
    params: BTreeMap<&'static str, BTreeMap<&'static str, Param>>,
}

impl Config {
    /// Reads the manifest's `rules` section.
    #[must_use]
    pub fn from_rules(specs: &[RuleSpec]) -> (Config, Vec<Diagnostic>) {
        let mut config = Config::default();
        let mut diags = Vec::new();
        for spec in specs {
            let Some(rule) = registry::find(&spec.id.value) else {
                let help = match did_you_mean(&spec.id.value, registry::metas().map(|m| m.id)) {
                    Some(s) => format!("did you mean `{s}`? `archmap rules` lists every check"),
                    None => "`archmap rules` lists every check with its id and code".to_string(),
                };
                diags.push(error(
                    codes::UNKNOWN_FIELD,
                    format!("unknown rule `{}`", spec.id.value),
                    spec.id.span,
                    "not a check",
                    help,
                ));
                continue;
            };
            let meta = rule.meta();
            if let Some(level) = &spec.level {
                config.levels.insert(meta.code, level.value);
            }
            for (name, value) in &spec.params {
                let Some(param) = meta.params.iter().find(|p| p.name == name.value) else {
                    let names: Vec<&str> =
                        meta.params.iter().map(|p| p.name).chain(["level"]).collect();
                    let help = match did_you_mean(&name.value, names.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("`{}` takes: {}", meta.id, names.join(", ")),
                    };
                    diags.push(error(
                        codes::UNKNOWN_FIELD,
                        format!("unknown parameter `{}` of rule `{}`", name.value, meta.id),
                        name.span,
                        "not a parameter of this rule",
                        help,
                    ));
                    continue;
                };
                match convert(param.kind(), &value.value) {
                    Ok(p) => {
                        config.params.entry(meta.code).or_default().insert(param.name, p);
                    }
                    Err((code, msg)) => diags.push(error(
                        code,
                        format!("parameter `{}` of rule `{}` {msg}", param.name, meta.id),
                        value.span,
                        "invalid value",
                        format!("{} (default: {})", param.doc, param.default),
                    )),
                }
            }
        }
        (config, diags)
    }

    /// Sets a check's level from the command line (`--rule ID=LEVEL`).
    pub fn set_level(&mut self, name: &str, level: Level) -> Result<(), String> {
        let rule = registry::find(name).ok_or_else(|| {
            match did_you_mean(name, registry::metas().map(|m| m.id)) {
                Some(s) => format!("unknown rule `{name}`; did you mean `{s}`?"),
                None => format!("unknown rule `{name}`; `archmap rules` lists every check"),
            }
        })?;
        self.levels.insert(rule.meta().code, level);
        Ok(())
    }

    /// The level a check runs at.
    #[must_use]
    pub fn level(&self, meta: &RuleMeta) -> Level {
        self.levels.get(meta.code).copied().unwrap_or(meta.default_level)
    }

    /// The parameters set for a check.
    #[must_use]
    pub(crate) fn params(&self, meta: &RuleMeta) -> Option<&BTreeMap<&'static str, Param>> {
        self.params.get(meta.code)
    }
}

/// The most `{from, to}` pairs a `forbidden` parameter may list: the check tests every
/// dependency against each (up to 1,000,000 dependencies), so the list must stay short; real
/// layer rules have a handful.
pub(crate) const MAX_FORBIDDEN: usize = 256;

fn convert(
    kind: ParamKind,
    value: &ParamValue,
) -> Result<Param, ((&'static str, &'static str), String)> {
    match (kind, value) {
        (ParamKind::Count, ParamValue::Int(n)) if *n >= 0 => Ok(Param::Count(*n as u64)),
        (ParamKind::Count, ParamValue::Int(n)) => {
            Err((codes::INVALID_VALUE, format!("must be 0 or more, found {n}")))
        }
        (ParamKind::Share, ParamValue::Int(n)) if (0..=1).contains(n) => {
            Ok(Param::Share(*n as f64))
        }
        (ParamKind::Share, ParamValue::Float(x)) if (0.0..=1.0).contains(x) => Ok(Param::Share(*x)),
        (ParamKind::Share, ParamValue::Int(_) | ParamValue::Float(_)) => {
            Err((codes::INVALID_VALUE, "must be a share from 0 to 1".to_string()))
        }
        (ParamKind::Forbidden, ParamValue::Forbidden(pairs)) if pairs.len() > MAX_FORBIDDEN => {
            Err((
                codes::INVALID_VALUE,
                format!(
                    "must list at most {MAX_FORBIDDEN} pairs, found {} (every dependency is tested against each)",
                    pairs.len()
                ),
            ))
        }
        (ParamKind::Forbidden, ParamValue::Forbidden(pairs)) => Ok(Param::Forbidden(pairs.clone())),
        (ParamKind::Count, other) => {
            Err((codes::WRONG_TYPE, format!("must be a whole number, found {}", describe(other))))
        }
        (ParamKind::Share, other) => Err((
            codes::WRONG_TYPE,
            format!("must be a number from 0 to 1, found {}", describe(other)),
        )),
        (ParamKind::Forbidden, other) => Err((
            codes::WRONG_TYPE,
            format!("must be a list of `{{from, to}}` maps, found {}", describe(other)),
        )),
    }
}

fn describe(value: &ParamValue) -> &'static str {
    match value {
        ParamValue::Int(_) => "an integer",
        ParamValue::Float(_) => "a number",
        ParamValue::Str(_) => "a string",
        ParamValue::Forbidden(_) => "a list",
        ParamValue::Other(what) => what,
    }
}

fn error(
    code: (&'static str, &'static str),
    message: String,
    span: crate::source::Span,
    label: &str,
    help: String,
) -> Diagnostic {
    Diagnostic::new(code.0, code.1, Severity::Error, message)
        .with_label(span, label)
        .with_help(help)
        .fatal()
}
