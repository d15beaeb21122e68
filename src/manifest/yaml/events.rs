//! The stream of YAML events archmap builds its tree from: the parser's events with aliases
//! replaced by the events of their anchor, and every size bound checked on the way.
//!
//! Input: the text of one file. Output: node events (scalars, list and map starts and ends)
//! with their byte ranges, each replayed event marked with the range of the alias that replayed
//! it. Bounds: nesting depth ([`MAX_DEPTH`](super::MAX_DEPTH)), replayed events, alias
//! references, anchors, merge keys, documents (one), events, nodes and scalar bytes; a breach
//! is an [`EventError`] at a byte offset. Nothing here recurses.

use std::borrow::Cow;
use std::rc::Rc;

use granit_parser::{Event, Parser, ScalarStyle, ScanError, StrInput};

use super::scalar::{NodeKind, TagInfo, is_merge_key, kind_of};

/// A byte range in the file.
pub(super) type Range = (usize, usize);

/// One node event.
#[derive(Clone, Debug)]
pub(super) enum EvKind<'a> {
    Scalar { value: Cow<'a, str>, style: ScalarStyle, tag: Option<Rc<TagInfo>> },
    SeqStart { tag: Option<Rc<TagInfo>> },
    SeqEnd,
    MapStart { tag: Option<Rc<TagInfo>> },
    MapEnd,
}

/// A node event and where it stands.
#[derive(Clone, Debug)]
pub(super) struct Ev<'a> {
    pub kind: EvKind<'a>,
    /// The event's own place (for a replayed event, in the anchored node).
    pub range: Range,
}

/// An event as delivered: `alias` is the `*name` that replayed it, if any.
pub(super) struct Item<'a> {
    pub ev: Ev<'a>,
    pub alias: Option<Range>,
}

/// Why the stream stopped.
#[derive(Debug)]
pub(super) enum EventError {
    /// The parser rejected the text.
    Scan(ScanError),
    /// A bound or a rule broke, at a byte offset.
    At { message: String, offset: usize },
    /// The alias-replay bound broke on a replayed event: the offset of the event in its anchor
    /// and of the alias that replayed it (which one is reported depends on where the alias stands).
    Replay { message: String, defined: usize, alias: usize },
}

/// The size bounds (the values archmap has always used with serde-saphyr).
pub(super) struct Limits {
    pub replayed: usize,
    pub aliases: usize,
    pub merge_keys: usize,
    pub depth: usize,
    pub events: usize,
    pub nodes: usize,
    pub scalar_bytes: usize,
    pub anchors: usize,
    pub recorded_events: usize,
    pub recorded_bytes: usize,
    pub documents: usize,
}

impl Limits {
    pub(super) fn for_len(len: usize) -> Limits {
        let scaled = super::MAX_ALIAS_EVENTS.max(len);
        Limits {
            replayed: scaled,
            aliases: scaled,
            merge_keys: scaled,
            depth: super::MAX_DEPTH,
            events: 200_000_000,
            nodes: 100_000_000,
            scalar_bytes: 512 * 1024 * 1024,
            anchors: 50_000,
            recorded_events: 1_000_000,
            recorded_bytes: 64 * 1024 * 1024,
            documents: 1,
        }
    }
}

/// An anchored container being recorded.
struct Recording<'a> {
    id: usize,
    depth: usize,
    events: Vec<Ev<'a>>,
}

/// An alias being replayed.
struct Replay<'a> {
    events: Rc<[Ev<'a>]>,
    next: usize,
    alias: Range,
}

/// An open container, as the budget follows them (to recognise merge keys in key position).
#[derive(Clone, Copy)]
struct Open {
    /// `Some(expecting_key)` for a map, `None` for a list.
    map: Option<bool>,
    /// Whether the container is the value of a map entry (which it then ends).
    is_value: bool,
}

/// The budget: counts of what the document holds, replays included.
#[derive(Default)]
struct Budget {
    events: usize,
    nodes: usize,
    scalar_bytes: usize,
    depth: usize,
    max_depth_seen: usize,
    aliases: usize,
    merge_keys: usize,
    anchors: usize,
    recorded_events: usize,
    recorded_bytes: usize,
    documents: usize,
    open: Vec<Open>,
}

fn breach(what: &str) -> String {
    format!("budget breached: {what}")
}

impl Budget {
    fn event(&mut self, limits: &Limits) -> Result<(), String> {
        self.events += 1;
        if self.events > limits.events {
            return Err(breach(&format!("Events {{ events: {} }}", self.events)));
        }
        Ok(())
    }

    fn node(&mut self, limits: &Limits) -> Result<(), String> {
        self.nodes += 1;
        if self.nodes > limits.nodes {
            return Err(breach(&format!("Nodes {{ nodes: {} }}", self.nodes)));
        }
        Ok(())
    }

    fn scalar_bytes(&mut self, limits: &Limits, n: usize) -> Result<(), String> {
        self.scalar_bytes = self.scalar_bytes.saturating_add(n);
        if self.scalar_bytes > limits.scalar_bytes {
            return Err(breach(&format!(
                "ScalarBytes {{ total_scalar_bytes: {} }}",
                self.scalar_bytes
            )));
        }
        Ok(())
    }

    fn anchor(&mut self, limits: &Limits, anchor: usize) -> Result<(), String> {
        if anchor != 0 {
            self.anchors += 1;
            if self.anchors > limits.anchors {
                return Err(breach(&format!("Anchors {{ anchors: {} }}", self.anchors)));
            }
        }
        Ok(())
    }

    /// Counts one node event (`anchor` is 0 for replayed events).
    fn observe(&mut self, limits: &Limits, kind: &EvKind<'_>, anchor: usize) -> Result<(), String> {
        self.event(limits)?;
        match kind {
            EvKind::Scalar { value, style, tag } => {
                self.node(limits)?;
                let tag_len = tag.as_ref().map_or(0, |t| t.budget_len);
                self.scalar_bytes(limits, value.len().saturating_add(tag_len))?;
                self.anchor(limits, anchor)?;
                if let Some(Open { map: Some(expecting_key), .. }) = self.open.last_mut() {
                    if *expecting_key {
                        if is_merge_key(value, *style, kind_of(tag.as_deref())) {
                            self.merge_keys += 1;
                            if self.merge_keys > limits.merge_keys {
                                return Err(breach(&format!(
                                    "MergeKeys {{ merge_keys: {} }}",
                                    self.merge_keys
                                )));
                            }
                        }
                        *expecting_key = false;
                    } else {
                        *expecting_key = true;
                    }
                }
            }
            EvKind::SeqStart { tag } | EvKind::MapStart { tag } => {
                self.node(limits)?;
                self.depth += 1;
                self.max_depth_seen = self.max_depth_seen.max(self.depth);
                if self.max_depth_seen > limits.depth {
                    return Err(breach(&format!("Depth {{ depth: {} }}", self.max_depth_seen)));
                }
                self.scalar_bytes(limits, tag.as_ref().map_or(0, |t| t.budget_len))?;
                let mut is_value = false;
                if let Some(Open { map: Some(expecting_key), .. }) = self.open.last_mut() {
                    is_value = !*expecting_key;
                    *expecting_key = false;
                }
                let map = matches!(kind, EvKind::MapStart { .. }).then_some(true);
                self.open.push(Open { map, is_value });
                self.anchor(limits, anchor)?;
            }
            EvKind::SeqEnd | EvKind::MapEnd => {
                self.depth = self.depth.saturating_sub(1);
                // A container that was a key leaves its map waiting for the value.
                if self.open.pop().is_some_and(|o| o.is_value)
                    && let Some(Open { map: Some(expecting_key), .. }) = self.open.last_mut()
                {
                    *expecting_key = true;
                }
            }
        }
        Ok(())
    }

    fn alias(&mut self, limits: &Limits) -> Result<(), String> {
        self.event(limits)?;
        self.aliases += 1;
        if self.aliases > limits.aliases {
            return Err(breach(&format!("Aliases {{ aliases: {} }}", self.aliases)));
        }
        Ok(())
    }

    fn recorded(&mut self, limits: &Limits, bytes: usize) -> Result<(), String> {
        self.recorded_events += 1;
        if self.recorded_events > limits.recorded_events {
            return Err(breach(&format!(
                "RecordedAnchorEvents {{ recorded_anchor_events: {} }}",
                self.recorded_events
            )));
        }
        self.recorded_bytes = self.recorded_bytes.saturating_add(bytes);
        if self.recorded_bytes > limits.recorded_bytes {
            return Err(breach(&format!(
                "RecordedAnchorBytes {{ recorded_anchor_bytes: {} }}",
                self.recorded_bytes
            )));
        }
        Ok(())
    }
}

/// Bytes of an event copy kept in an anchor: owned text and the tag's spelling.
fn owned_bytes(kind: &EvKind<'_>) -> usize {
    match kind {
        EvKind::Scalar { value, tag, .. } => {
            let v = match value {
                Cow::Owned(s) => s.len(),
                Cow::Borrowed(_) => 0,
            };
            v + tag.as_ref().map_or(0, |t| t.resolved.len())
        }
        EvKind::SeqStart { tag } | EvKind::MapStart { tag } => {
            tag.as_ref().map_or(0, |t| t.resolved.len())
        }
        EvKind::SeqEnd | EvKind::MapEnd => 0,
    }
}

/// The event stream of one document.
pub(super) struct Events<'a> {
    parser: Parser<'a, StrInput<'a>>,
    limits: Limits,
    budget: Budget,
    anchors: Vec<Option<Rc<[Ev<'a>]>>>,
    recording: Vec<Recording<'a>>,
    replay: Option<Replay<'a>>,
    replayed: usize,
    /// Whether a node event was delivered (a stream without any yields one null).
    produced: bool,
    /// The place of the last parser event (where a synthesised null stands).
    last: Range,
    done: bool,
}

fn range(span: &granit_parser::Span) -> Range {
    let start = span.start.byte_offset().unwrap_or(0);
    let end = span.end.byte_offset().unwrap_or(start).max(start);
    (start, end)
}

fn tag_info(tag: Option<Cow<'_, granit_parser::Tag>>) -> Option<Rc<TagInfo>> {
    tag.map(|t| Rc::new(TagInfo::new(&t)))
}

impl<'a> Events<'a> {
    pub(super) fn new(text: &'a str) -> Events<'a> {
        let options = granit_parser::options! {
            emit_comments: false,
            // One more than the depth bound, so that the budget, not the parser, reports it.
            block_nesting_limit: 255,
        };
        Events {
            parser: Parser::new_from_str_with_options(text, options),
            limits: Limits::for_len(text.len()),
            budget: Budget::default(),
            anchors: Vec::new(),
            recording: Vec::new(),
            replay: None,
            replayed: 0,
            produced: false,
            last: (0, 0),
            done: false,
        }
    }

    /// Records an event into every open anchored container.
    fn record(&mut self, ev: &Ev<'a>, skip_last: bool) -> Result<(), String> {
        let n = self.recording.len() - usize::from(skip_last);
        if n == 0 {
            return Ok(());
        }
        let bytes = owned_bytes(&ev.kind);
        for i in 0..n {
            self.budget.recorded(&self.limits, bytes)?;
            self.recording[i].events.push(ev.clone());
        }
        Ok(())
    }

    /// Depth bookkeeping of the recordings on a container start or end.
    fn record_depth(&mut self, start: bool) {
        for r in &mut self.recording {
            if start {
                r.depth += 1;
            } else {
                r.depth -= 1;
            }
        }
        while self.recording.last().is_some_and(|r| r.depth == 0) {
            let done = self.recording.pop().expect("checked above");
            if done.id >= self.anchors.len() {
                self.anchors.resize(done.id + 8, None);
            }
            self.anchors[done.id] = Some(done.events.into());
        }
    }

    fn at(message: String, offset: usize) -> EventError {
        EventError::At { message, offset }
    }

    /// The next node event, or `None` at the end of the stream.
    pub(super) fn next(&mut self) -> Result<Option<Item<'a>>, EventError> {
        if let Some(item) = self.next_replayed()? {
            return Ok(Some(item));
        }
        if self.done {
            return Ok(None);
        }
        loop {
            let Some(next) = self.parser.next() else {
                self.done = true;
                if !self.produced {
                    self.produced = true;
                    let ev = Ev {
                        kind: EvKind::Scalar {
                            value: Cow::Borrowed(""),
                            style: ScalarStyle::Plain,
                            tag: None,
                        },
                        range: self.last,
                    };
                    return Ok(Some(Item { ev, alias: None }));
                }
                return Ok(None);
            };
            let (event, span) = next.map_err(EventError::Scan)?;
            let here = range(&span);
            self.last = here;
            let (kind, anchor) = match event {
                Event::Scalar(value, style, anchor, tag) => {
                    (EvKind::Scalar { value, style, tag: tag_info(tag) }, anchor)
                }
                Event::SequenceStart(_, anchor, tag) => {
                    (EvKind::SeqStart { tag: tag_info(tag) }, anchor)
                }
                Event::MappingStart(_, anchor, tag) => {
                    (EvKind::MapStart { tag: tag_info(tag) }, anchor)
                }
                Event::SequenceEnd => (EvKind::SeqEnd, 0),
                Event::MappingEnd => (EvKind::MapEnd, 0),
                Event::Alias(id) => {
                    self.budget.alias(&self.limits).map_err(|m| Self::at(m, here.0))?;
                    if self.recording.iter().any(|r| r.id == id) {
                        return Err(Self::at(
                            "recursive references require weak recursion types".into(),
                            here.0,
                        ));
                    }
                    let Some(events) = self.anchors.get(id).and_then(Clone::clone) else {
                        return Err(Self::at("alias references unknown anchor".into(), here.0));
                    };
                    self.replay = Some(Replay { events, next: 0, alias: here });
                    match self.next_replayed()? {
                        Some(item) => return Ok(Some(item)),
                        None => continue,
                    }
                }
                Event::DocumentStart(..) => {
                    self.budget.event(&self.limits).map_err(|m| Self::at(m, here.0))?;
                    self.budget.documents += 1;
                    if self.budget.documents > self.limits.documents {
                        return Err(Self::at(
                            breach(&format!(
                                "Documents {{ documents: {} }}",
                                self.budget.documents
                            )),
                            here.0,
                        ));
                    }
                    self.reset_document();
                    continue;
                }
                Event::DocumentEnd => {
                    self.budget.event(&self.limits).map_err(|m| Self::at(m, here.0))?;
                    self.reset_document();
                    continue;
                }
                _ => {
                    self.budget.event(&self.limits).map_err(|m| Self::at(m, here.0))?;
                    continue;
                }
            };
            return self.deliver(kind, anchor, here).map(Some);
        }
    }

    /// A node event from the parser: counted, checked, recorded for the anchors open.
    fn deliver(
        &mut self,
        kind: EvKind<'a>,
        anchor: usize,
        here: Range,
    ) -> Result<Item<'a>, EventError> {
        self.budget.observe(&self.limits, &kind, anchor).map_err(|m| Self::at(m, here.0))?;
        check_tag(&kind).map_err(|m| Self::at(m, here.0))?;
        let ev = Ev { kind, range: here };
        self.produced = true;
        match ev.kind {
            EvKind::Scalar { .. } => {
                self.record(&ev, false).map_err(|m| Self::at(m, here.0))?;
                if anchor != 0 {
                    self.budget
                        .recorded(&self.limits, owned_bytes(&ev.kind))
                        .map_err(|m| Self::at(m, here.0))?;
                    if anchor >= self.anchors.len() {
                        self.anchors.resize(anchor + 8, None);
                    }
                    self.anchors[anchor] = Some(Rc::from(vec![ev.clone()]));
                }
            }
            EvKind::SeqStart { .. } | EvKind::MapStart { .. } => {
                self.record_depth(true);
                if anchor != 0 {
                    self.budget
                        .recorded(&self.limits, owned_bytes(&ev.kind))
                        .map_err(|m| Self::at(m, here.0))?;
                    self.recording.push(Recording {
                        id: anchor,
                        depth: 1,
                        events: vec![ev.clone()],
                    });
                }
                self.record(&ev, anchor != 0).map_err(|m| Self::at(m, here.0))?;
            }
            EvKind::SeqEnd | EvKind::MapEnd => {
                self.record(&ev, false).map_err(|m| Self::at(m, here.0))?;
                self.record_depth(false);
            }
        }
        Ok(Item { ev, alias: None })
    }

    /// The next event of the alias being replayed, if any.
    fn next_replayed(&mut self) -> Result<Option<Item<'a>>, EventError> {
        let Some(replay) = &mut self.replay else {
            return Ok(None);
        };
        let Some(ev) = replay.events.get(replay.next).cloned() else {
            self.replay = None;
            return Ok(None);
        };
        replay.next += 1;
        let alias = replay.alias;
        self.replayed += 1;
        if self.replayed > self.limits.replayed {
            return Err(EventError::Replay {
                message: format!(
                    "alias replay limit exceeded: total_replayed_events={} > {}",
                    self.replayed, self.limits.replayed
                ),
                defined: ev.range.0,
                alias: alias.0,
            });
        }
        // A breach on a replayed event is reported at the alias.
        self.budget.observe(&self.limits, &ev.kind, 0).map_err(|m| Self::at(m, alias.0))?;
        check_tag(&ev.kind).map_err(|m| Self::at(m, alias.0))?;
        // Replayed starts and ends balance: the recordings' depths need no update.
        self.record(&ev, false).map_err(|m| Self::at(m, alias.0))?;
        self.produced = true;
        Ok(Some(Item { ev, alias: Some(alias) }))
    }

    fn reset_document(&mut self) {
        self.replay = None;
        self.recording.clear();
        self.anchors.fill(None);
        self.replayed = 0;
    }
}

/// A tag that cannot stand on its node (`!!int [1]`, `!!seq a`).
fn check_tag(kind: &EvKind<'_>) -> Result<(), String> {
    let (tag, node) = match kind {
        EvKind::Scalar { tag, .. } => (tag, NodeKind::Scalar),
        EvKind::SeqStart { tag } => (tag, NodeKind::Seq),
        EvKind::MapStart { tag } => (tag, NodeKind::Map),
        EvKind::SeqEnd | EvKind::MapEnd => return Ok(()),
    };
    let Some(tag) = tag else { return Ok(()) };
    match tag.kind.requires() {
        Some(required) if required != node => {
            if tag.kind == super::scalar::TagKind::Include {
                Err("!include currently only supports the scalar form: !include <path>".into())
            } else {
                Err(format!("unsupported tag `{}`", tag.original))
            }
        }
        _ => Ok(()),
    }
}
