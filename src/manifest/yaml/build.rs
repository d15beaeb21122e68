//! The tree builder: [`Events`] in, one [`Node`] tree out, with an explicit stack (no
//! recursion, so the caller's stack size never limits the nesting).
//!
//! What it keeps from the YAML data model, and how:
//! - Spans: a node stands where its event stands; a node replayed by an alias stands at the
//!   `*name`; a node brought in by a merge key stands at the merged value (the `*name` of
//!   `<<: *defaults`, or the start of an inline map).
//! - Maps keep their entries in document order with duplicate keys (the schema stage reports
//!   them). Merge keys (`<<`) add the entries of a map, or of a list of maps (earlier maps
//!   first), after the explicit entries, leaving out keys already present; within a merged
//!   map, a repeated key keeps its last entry. Once a map has a key holding an integer, its
//!   later entries keep only the last of each key (`1` and `0x1` are the same key).
//! - [`MAX_VALUES`](super::MAX_VALUES): every node of the finished tree counts once, in
//!   document order (keys before values, a map's merged entries after its own).

use std::collections::HashSet;

use granit_parser::ErrorKind;

use super::events::{EvKind, EventError, Events, Item, Range};
use super::scalar::{
    KeyId, KeyTag, collection_key_tag, is_merge_key, kind_of, merges_nothing, resolve,
    scalar_key_id,
};
use super::{Node, VALUES_MESSAGE, Value, YamlError};
use crate::source::{FileId, SourceFile, Span};

/// A merged entry: key, value, and the key's identity (`None`: a string key, its text).
struct Merged {
    key: Node,
    value: Node,
    id: Option<KeyId>,
}

fn materialize(id: Option<&KeyId>, key: &Node) -> KeyId {
    match (id, &key.value) {
        (Some(id), _) => id.clone(),
        (None, Value::Str(s)) => {
            KeyId::Scalar { value: s.clone(), tag: KeyTag::Known(super::scalar::TagKind::Str) }
        }
        // A `None` identity is only ever given to string keys.
        (None, _) => KeyId::Scalar { value: String::new(), tag: KeyTag::Custom(String::new()) },
    }
}

/// What a map's next node is.
enum Slot {
    /// A key.
    Key,
    /// The value of this key.
    Value(Node, Option<KeyId>),
    /// The value of a merge key `<<`.
    Merge,
}

/// A map being read.
struct MapFrame {
    /// Where its entries start in the builder's pairs.
    start: usize,
    /// The identities of the keys that are not plain strings, by entry index (most maps have
    /// none: a string key's identity is its text).
    ids: Vec<(usize, KeyId)>,
    slot: Slot,
    /// Entries merged in, in order (overridden ones are dropped at the end).
    merged: Vec<Merged>,
    /// Index (from `start`) of the first entry whose key holds an integer.
    int_from: Option<usize>,
}

impl MapFrame {
    fn new(start: usize) -> MapFrame {
        MapFrame { start, ids: Vec::new(), slot: Slot::Key, merged: Vec::new(), int_from: None }
    }
}

enum FrameKind {
    /// A list: its items start there in the builder's items.
    Seq(usize),
    Map(MapFrame),
    /// A list given to a merge key: its maps' entries, in order.
    MergeSeq(Vec<Merged>),
    /// A map given to a merge key (directly or in a list).
    MergeMap(MapFrame),
}

/// What the nodes below a frame inherit.
#[derive(Clone, Copy, Default)]
struct Ctx {
    /// Where merged nodes stand (see the module docs).
    merge_ref: Option<Range>,
    /// Whether the nodes are counted later, when it is known which of them the tree keeps.
    deferred: bool,
}

struct Frame {
    kind: FrameKind,
    /// The node's span (maps and lists) start.
    span: Range,
    /// For the children.
    ctx: Ctx,
    /// Whether this container is a map key (its identity is computed from its events).
    is_key: bool,
    /// Start of the key's events in the capture buffer.
    capture_from: usize,
}

/// Where an alias being replayed stands, which decides where its errors are reported.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AliasPlace {
    /// A value or list item: errors inside it are reported at the alias.
    Value,
    /// A key or a merged value.
    Other,
}

struct Builder<'a, 'f> {
    file_id: FileId,
    file: &'f SourceFile,
    values_left: &'f mut usize,
    stack: Vec<Frame>,
    /// The items of the open lists and the entries of the open maps, innermost last: each
    /// container takes its own, in one allocation of the right size, when it ends.
    items: Vec<Node>,
    pairs: Vec<(Node, Node)>,
    root: Option<Node>,
    /// Events of the map keys that are lists or maps being read.
    capture: Vec<super::events::Ev<'a>>,
    captures: usize,
    /// The alias being replayed and where it stands.
    replaying: Option<(Range, AliasPlace)>,
    /// Errors of scalars read where nodes are counted later (merged maps, keys, the entries
    /// after an integer key): raised when the node is counted, not if the tree drops it.
    /// Such a node stands at [`POISON`] plus the error's index.
    poison: Vec<YamlError>,
}

/// Where a node whose scalar failed to read stands until it is counted (no file is this long).
const POISON: usize = usize::MAX / 2;

/// Reads one document into a tree.
pub(super) fn build(
    file_id: FileId,
    file: &SourceFile,
    values_left: &mut usize,
) -> Result<Node, YamlError> {
    let mut builder = Builder {
        file_id,
        file,
        values_left,
        stack: Vec::new(),
        items: Vec::new(),
        pairs: Vec::new(),
        root: None,
        capture: Vec::new(),
        captures: 0,
        replaying: None,
        poison: Vec::new(),
    };
    // The root counts before anything is read.
    if *builder.values_left == 0 {
        return Err(builder.error_at(VALUES_MESSAGE.into(), 0));
    }
    let mut events = Events::new(file.text());
    while builder.root.is_none() {
        let item = match events.next() {
            Ok(Some(item)) => item,
            Ok(None) => return Err(builder.error_at("unexpected end of input".into(), 0)),
            Err(e) => return Err(builder.event_error(e)),
        };
        builder.item(&item)?;
    }
    match events.next() {
        Ok(None) => {}
        Ok(Some(item)) => {
            return Err(builder.error_at(
                "multiple YAML documents detected; use from_str_multiple or from_str_multiple_with_options".into(),
                item.ev.range.0,
            ));
        }
        Err(e) => return Err(builder.event_error(e)),
    }
    Ok(builder.root.take().expect("the loop ends with a root"))
}

impl<'a> Builder<'a, '_> {
    fn error_at(&self, message: String, offset: usize) -> YamlError {
        let text = self.file.text();
        let offset = offset.min(text.len());
        let end = text
            .get(offset..)
            .and_then(|rest| rest.chars().next())
            .map_or(offset, |c| offset + c.len_utf8());
        YamlError { message: tidy(message), span: Span::new(self.file_id, offset, end) }
    }

    fn event_error(&self, e: EventError) -> YamlError {
        match e {
            EventError::Scan(e) => {
                let mark = e.marker();
                let offset =
                    if mark.line() > 0 { self.file.offset(mark.line(), mark.col() + 1) } else { 0 };
                let message = match e.kind() {
                    ErrorKind::UnknownAnchor => "alias references unknown anchor".into(),
                    _ => e.info(),
                };
                self.error_at(message, offset)
            }
            EventError::At { message, offset } => self.error_at(message, offset),
            EventError::Replay { message, defined, alias } => {
                let place = match self.replaying {
                    Some((a, place)) if a.0 == alias => place,
                    _ => alias_place(self.place()),
                };
                let at = if place == AliasPlace::Value { alias } else { defined };
                self.error_at(message, at)
            }
        }
    }

    /// Where the next node goes.
    fn place(&self) -> Place {
        match self.stack.last().map(|f| &f.kind) {
            None => Place::Root,
            Some(FrameKind::Seq(_)) => Place::Item,
            Some(FrameKind::Map(m) | FrameKind::MergeMap(m)) => match m.slot {
                Slot::Key => Place::Key,
                Slot::Value(..) => Place::Value,
                Slot::Merge => Place::MergeValue,
            },
            Some(FrameKind::MergeSeq(_)) => Place::MergeItem,
        }
    }

    fn ctx(&self) -> Ctx {
        let Some(top) = self.stack.last() else { return Ctx::default() };
        let mut ctx = top.ctx;
        if let FrameKind::Map(m) = &top.kind
            && m.int_from.is_some()
        {
            ctx.deferred = true;
        }
        ctx
    }

    /// Where a node read from `item` stands.
    fn span_of(item: &Item<'_>, ctx: Ctx) -> Range {
        item.alias.or(ctx.merge_ref).unwrap_or(item.ev.range)
    }

    /// Takes one value from the run's budget; `at` is where the refused node stands.
    fn count(&mut self, at: usize) -> Result<(), YamlError> {
        if *self.values_left == 0 {
            return Err(self.error_at(VALUES_MESSAGE.into(), at));
        }
        *self.values_left -= 1;
        Ok(())
    }

    /// Counts a whole subtree, in document order.
    fn count_tree(&mut self, node: &Node) -> Result<(), YamlError> {
        let mut todo = vec![node];
        while let Some(n) = todo.pop() {
            self.count(n.span.start)?;
            if n.span.start >= POISON {
                return Err(self.poison[n.span.start - POISON].clone());
            }
            match &n.value {
                Value::Seq(items) => todo.extend(items.iter().rev()),
                Value::Map(entries) => {
                    for (k, v) in entries.iter().rev() {
                        todo.push(v);
                        todo.push(k);
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn item(&mut self, item: &Item<'a>) -> Result<(), YamlError> {
        let place = self.place();
        match item.alias {
            Some(alias) if self.replaying.is_none_or(|(a, _)| a != alias) => {
                self.replaying = Some((alias, alias_place(place)));
            }
            Some(_) => {}
            None => self.replaying = None,
        }
        if self.captures > 0 {
            self.capture.push(item.ev.clone());
        }
        match item.ev.kind {
            EvKind::Scalar { .. } => self.scalar(item, place),
            EvKind::SeqStart { .. } => self.start(item, place, false),
            EvKind::MapStart { .. } => self.start(item, place, true),
            EvKind::SeqEnd | EvKind::MapEnd => self.end(),
        }
    }

    /// Where errors in a node read from `item` are reported.
    fn error_offset(&self, item: &Item<'_>, is_key: bool) -> usize {
        match (item.alias, self.replaying) {
            (Some(alias), Some((_, AliasPlace::Value))) => alias.0,
            (Some(alias), _) if !is_key => alias.0,
            _ => item.ev.range.0,
        }
    }

    fn scalar(&mut self, item: &Item<'a>, place: Place) -> Result<(), YamlError> {
        let EvKind::Scalar { value, style, tag } = &item.ev.kind else {
            unreachable!("called for scalars")
        };
        let kind = kind_of(tag.as_deref());
        match place {
            Place::MergeValue | Place::MergeItem => {
                if merges_nothing(value, *style, kind) {
                    self.merged_nothing(place);
                    return Ok(());
                }
                let at = match self.replaying {
                    Some((alias, AliasPlace::Value)) if item.alias.is_some() => alias.0,
                    _ => item.ev.range.0,
                };
                return Err(self.error_at(
                    "YAML merge value must be mapping or sequence of mappings".into(),
                    at,
                ));
            }
            Place::Key if is_merge_key(value, *style, kind) => {
                let top = self.top_map();
                top.slot = Slot::Merge;
                return Ok(());
            }
            _ => {}
        }
        let ctx = self.ctx();
        let span = Self::span_of(item, ctx);
        let is_key = place == Place::Key;
        let resolved = resolve(value, *style, kind);
        // A key's identity is known before it is counted: a key holding an integer switches its
        // map to keeping the last of each later key, counted once the map is complete.
        let mut key_id = None;
        let mut int_key = false;
        if is_key {
            let probe = resolved.as_ref().unwrap_or(&Value::Null);
            key_id = scalar_key_id(value, *style, tag.as_deref(), probe);
            int_key = key_id.as_ref().is_some_and(KeyId::has_int);
            if int_key {
                self.start_int_mode();
            }
        }
        if !ctx.deferred && !int_key {
            let at = if is_key || item.alias.is_some() { span.0 } else { item.ev.range.0 };
            self.count(at)?;
        }
        let node = match resolved {
            Ok(resolved) => Node { value: resolved, span: self.span(span) },
            Err(e) => {
                let err = self.error_at(e.message(value), self.error_offset(item, is_key));
                if !(ctx.deferred || int_key) {
                    return Err(err);
                }
                let at = POISON + self.poison.len();
                self.poison.push(err);
                Node { value: Value::Null, span: Span::new(self.file_id, at, at) }
            }
        };
        self.attach(node, key_id);
        Ok(())
    }

    fn span(&self, r: Range) -> Span {
        Span::new(self.file_id, r.0, r.1)
    }

    fn top_map(&mut self) -> &mut MapFrame {
        match self.stack.last_mut().map(|f| &mut f.kind) {
            Some(FrameKind::Map(m) | FrameKind::MergeMap(m)) => m,
            _ => unreachable!("a key is read in a map"),
        }
    }

    fn start_int_mode(&mut self) {
        if let Some(Frame { kind: FrameKind::Map(m), .. }) = self.stack.last_mut()
            && m.int_from.is_none()
        {
            m.int_from = Some(self.pairs.len() - m.start);
        }
    }

    /// A merge value (or list item) that is null: nothing to merge.
    fn merged_nothing(&mut self, place: Place) {
        if place == Place::MergeValue {
            self.top_map().slot = Slot::Key;
        }
    }

    fn start(&mut self, item: &Item<'a>, place: Place, is_map: bool) -> Result<(), YamlError> {
        let parent = self.ctx();
        let span = Self::span_of(item, parent);
        let (kind, ctx, is_key) = match place {
            Place::MergeValue | Place::MergeItem => {
                let deferred = Ctx { merge_ref: parent.merge_ref, deferred: true };
                if is_map {
                    (
                        FrameKind::MergeMap(MapFrame::new(self.pairs.len())),
                        Ctx { merge_ref: Some(span), deferred: true },
                        false,
                    )
                } else if place == Place::MergeItem {
                    (
                        FrameKind::MergeSeq(Vec::new()),
                        Ctx { merge_ref: Some(span), deferred: true },
                        false,
                    )
                } else {
                    (FrameKind::MergeSeq(Vec::new()), deferred, false)
                }
            }
            _ => {
                let is_key = place == Place::Key;
                let mut ctx = parent;
                if !parent.deferred {
                    if is_key {
                        // Counted once complete, when it is known whether it holds an integer.
                        ctx.deferred = true;
                    } else {
                        let at = if item.alias.is_some() { span.0 } else { item.ev.range.0 };
                        self.count(at)?;
                    }
                }
                let kind = if is_map {
                    FrameKind::Map(MapFrame::new(self.pairs.len()))
                } else {
                    FrameKind::Seq(self.items.len())
                };
                (kind, ctx, is_key)
            }
        };
        let capture_from = if is_key {
            self.captures += 1;
            if self.captures == 1 {
                self.capture.clear();
                self.capture.push(item.ev.clone());
            }
            self.capture.len() - 1
        } else {
            0
        };
        self.stack.push(Frame { kind, span, ctx, is_key, capture_from });
        Ok(())
    }

    fn end(&mut self) -> Result<(), YamlError> {
        let frame = self.stack.pop().expect("the parser balances starts and ends");
        let span = self.span(frame.span);
        let key_id = if frame.is_key {
            let id = key_id_of(&self.capture[frame.capture_from..]);
            self.captures -= 1;
            Some(id)
        } else {
            None
        };
        match frame.kind {
            FrameKind::Seq(start) => {
                let items = self.items.drain(start..).collect();
                let node = Node { value: Value::Seq(items), span };
                self.finish_key_count(&node, key_id.as_ref(), frame.ctx)?;
                self.attach(node, key_id);
                Ok(())
            }
            FrameKind::Map(map) => {
                let deferred = frame.ctx.deferred || frame.is_key;
                let entries = self.pairs.drain(map.start..).collect();
                let entries = self.finish_map(entries, map, deferred)?;
                let node = Node { value: Value::Map(entries), span };
                self.finish_key_count(&node, key_id.as_ref(), frame.ctx)?;
                self.attach(node, key_id);
                Ok(())
            }
            FrameKind::MergeSeq(merged) => {
                self.attach_merged(merged);
                Ok(())
            }
            FrameKind::MergeMap(map) => {
                let entries = self.pairs.drain(map.start..).collect();
                let mut merged = last_wins(with_ids(entries, map.ids));
                merged.extend(map.merged);
                self.attach_merged(merged);
                Ok(())
            }
        }
    }

    /// A list or map key is counted once complete (unless it holds an integer).
    fn finish_key_count(
        &mut self,
        node: &Node,
        key_id: Option<&KeyId>,
        ctx: Ctx,
    ) -> Result<(), YamlError> {
        let Some(id) = key_id else { return Ok(()) };
        let _ = ctx;
        if id.has_int() {
            self.start_int_mode();
            return Ok(());
        }
        // The key's own context was deferred on purpose; its parent's decides.
        if !self.ctx().deferred {
            self.count_tree(node)?;
        }
        Ok(())
    }

    /// A map's entries: its own, the later ones without repeats once a key held an integer,
    /// then the merged ones it does not override. Counted here unless `deferred`.
    fn finish_map(
        &mut self,
        mut entries: Vec<(Node, Node)>,
        map: MapFrame,
        deferred: bool,
    ) -> Result<Vec<(Node, Node)>, YamlError> {
        let MapFrame { mut ids, merged, int_from, .. } = map;
        if let Some(from) = int_from {
            let tail_entries = entries.split_off(from);
            let split = ids.partition_point(|(i, _)| *i < from);
            let tail_ids = ids.split_off(split).into_iter().map(|(i, id)| (i - from, id)).collect();
            for m in last_wins(with_ids(tail_entries, tail_ids)) {
                if !deferred {
                    self.count_tree(&m.key)?;
                    self.count_tree(&m.value)?;
                }
                if let Some(id) = m.id {
                    ids.push((entries.len(), id));
                }
                entries.push((m.key, m.value));
            }
        }
        if !merged.is_empty() {
            let mut seen: HashSet<KeyId> = HashSet::with_capacity(entries.len() + merged.len());
            let mut next_id = ids.iter().peekable();
            for (i, (k, _)) in entries.iter().enumerate() {
                let id = next_id.next_if(|(at, _)| *at == i).map(|(_, id)| id);
                seen.insert(materialize(id, k));
            }
            for m in merged {
                if seen.insert(materialize(m.id.as_ref(), &m.key)) {
                    if !deferred {
                        self.count_tree(&m.key)?;
                        self.count_tree(&m.value)?;
                    }
                    entries.push((m.key, m.value));
                }
            }
        }
        Ok(entries)
    }

    /// Puts a finished node where it belongs.
    fn attach(&mut self, node: Node, key_id: Option<KeyId>) {
        let Some(top) = self.stack.last_mut() else {
            self.root = Some(node);
            return;
        };
        match &mut top.kind {
            FrameKind::Seq(_) => self.items.push(node),
            FrameKind::Map(m) | FrameKind::MergeMap(m) => {
                match std::mem::replace(&mut m.slot, Slot::Key) {
                    Slot::Key => m.slot = Slot::Value(node, key_id),
                    Slot::Value(key, id) => {
                        if let Some(id) = id {
                            m.ids.push((self.pairs.len() - m.start, id));
                        }
                        self.pairs.push((key, node));
                    }
                    Slot::Merge => unreachable!("merge values are read as merge sources"),
                }
            }
            FrameKind::MergeSeq(_) => unreachable!("merge lists hold merge sources"),
        }
    }

    fn attach_merged(&mut self, merged: Vec<Merged>) {
        match self.stack.last_mut().map(|f| &mut f.kind) {
            Some(FrameKind::MergeSeq(list)) => list.extend(merged),
            Some(FrameKind::Map(m) | FrameKind::MergeMap(m)) => {
                m.merged.extend(merged);
                m.slot = Slot::Key;
            }
            _ => unreachable!("merge sources stand in maps and merge lists"),
        }
    }
}

fn alias_place(place: Place) -> AliasPlace {
    if matches!(place, Place::Value | Place::Item | Place::Root) {
        AliasPlace::Value
    } else {
        AliasPlace::Other
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Root,
    Item,
    Key,
    Value,
    MergeValue,
    MergeItem,
}

/// The entries, keeping only the last of each key, in the order of those last entries.
/// Entries with their keys' identities (`ids` by entry index, in order).
fn with_ids(entries: Vec<(Node, Node)>, ids: Vec<(usize, KeyId)>) -> Vec<Merged> {
    let mut ids = ids.into_iter().peekable();
    entries
        .into_iter()
        .enumerate()
        .map(|(i, (key, value))| Merged {
            key,
            value,
            id: ids.next_if(|(at, _)| *at == i).map(|(_, id)| id),
        })
        .collect()
}

fn last_wins(all: Vec<Merged>) -> Vec<Merged> {
    let mut seen = HashSet::with_capacity(all.len());
    let mut kept: Vec<Merged> = Vec::with_capacity(all.len());
    for m in all.into_iter().rev() {
        if seen.insert(materialize(m.id.as_ref(), &m.key)) {
            kept.push(m);
        }
    }
    kept.reverse();
    kept
}

/// The identity of a list or map key from its events (balanced, starting with its start).
fn key_id_of(events: &[super::events::Ev<'_>]) -> KeyId {
    // (is_map, tag, items) per open container.
    let mut stack: Vec<(bool, KeyTag, Vec<KeyId>)> = Vec::new();
    for ev in events {
        let done = match &ev.kind {
            EvKind::Scalar { value, style, tag } => {
                let probe = Value::Null;
                scalar_key_id(value, *style, tag.as_deref(), &probe)
                    .expect("only a string node gets no identity")
            }
            EvKind::SeqStart { tag } => {
                stack.push((false, collection_key_tag(tag.as_deref(), false), Vec::new()));
                continue;
            }
            EvKind::MapStart { tag } => {
                stack.push((true, collection_key_tag(tag.as_deref(), true), Vec::new()));
                continue;
            }
            EvKind::SeqEnd | EvKind::MapEnd => {
                let (is_map, tag, items) = stack.pop().expect("balanced events");
                if is_map {
                    let mut entries = Vec::with_capacity(items.len() / 2);
                    let mut it = items.into_iter();
                    while let (Some(k), Some(v)) = (it.next(), it.next()) {
                        entries.push((k, v));
                    }
                    entries.sort();
                    KeyId::Map { tag, entries }
                } else {
                    KeyId::Seq { tag, items }
                }
            }
        };
        match stack.last_mut() {
            Some((_, _, items)) => items.push(done),
            None => return done,
        }
    }
    // Unbalanced input cannot reach here (the parser balances events).
    KeyId::Seq { tag: KeyTag::Known(super::scalar::TagKind::Seq), items: Vec::new() }
}

/// The crate's message without its location suffix or final period.
fn tidy(mut message: String) -> String {
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    message.trim().trim_end_matches('.').to_string()
}
