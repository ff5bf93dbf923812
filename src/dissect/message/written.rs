//! A message's tree printed as it is walked (`-T tree` text, JSON): the entry points, and
//! [`Out`], where payload building puts its top-level pieces (nodes, or a sink).

use std::borrow::Cow;

use super::super::attrs::{Prune, Walker, Written, mark_raw};
use super::super::specs::{AttrSet, StructDef};
use super::MessageView;
use super::tree::header_node_or_bare;
use crate::model::{JsonSink, Name, Node, Sink, TextSink, Val, text};
use crate::netlink::NLMSG_HDRLEN;

/// Where a payload's top-level pieces go: into a tree, or written as they are walked.
pub(super) enum Out<'o> {
    Nodes(&'o mut Vec<Node>),
    Written(&'o mut dyn Written),
}

impl Out<'_> {
    pub(super) fn node(&mut self, n: Node) {
        match self {
            Out::Nodes(v) => v.push(n),
            Out::Written(w) => w.node(&n),
        }
    }

    pub(super) fn nodes(&mut self, ns: Vec<Node>) {
        match self {
            Out::Nodes(v) => v.extend(ns),
            Out::Written(w) => ns.iter().for_each(|n| w.node(n)),
        }
    }

    /// A fixed header `st` at `pos`: written straight where it can be, else its node; where
    /// what follows it starts.
    pub(super) fn header(
        &mut self,
        w: &Walker,
        st: &StructDef,
        root: &str,
        (pos, end): (usize, usize),
    ) -> usize {
        // A header what-changed leaves bare (alike in both messages) is built as such.
        if let Out::Written(out) = self
            && !w.prune.is_some_and(Prune::header)
            && let Some(next) = out.header(w, st, root, (pos, end))
        {
            return next;
        }
        let (hn, next) = header_node_or_bare(w, st, root, pos, end);
        self.node(hn);
        next
    }

    /// The attributes of `span` (of `set`, below `root`), raw where the set is unknown.
    pub(super) fn attrs(
        &mut self,
        w: &Walker,
        span: (usize, usize),
        set: Option<&AttrSet>,
        root: &str,
    ) {
        match self {
            Out::Nodes(v) => {
                let mut attrs = w.attrs(span.0, span.1, set, root, 0);
                if set.is_none() {
                    mark_raw(&mut attrs);
                }
                v.extend(attrs);
            }
            // Nodes of an unknown set are raw as the walker builds them (`unknown_attr`).
            Out::Written(out) => out.attrs(w, span, set, root),
        }
    }
}

impl MessageView<'_> {
    /// What writing [`MessageView::header_node`] as text at `indent` gives, without building
    /// the header's nodes; `extra` writes the lines of what follows its fields (the
    /// conversation's), at the depth it is given.
    pub fn write_header_text(
        &self,
        s: &mut String,
        indent: usize,
        extra: &mut dyn FnMut(&mut String, usize),
    ) {
        let m = &self.m;
        let len = m.len as usize;
        if self.is_uevent() || len < NLMSG_HDRLEN || len > m.present {
            // A uevent's header, or an expert on the length: the node as it is built.
            self.header_node().write_text(s, indent);
            return extra(s, indent + 1);
        }
        let o = m.offset;
        let n = |t: &'static str| -> Name { Cow::Borrowed(t) };
        let mut sink = TextSink::new(s, indent);
        let show = |t: &mut String| {
            t.push_str(self.type_str());
            t.push_str(", len ");
            t.push_str(itoa::Buffer::new().format(m.len));
        };
        let at = (o, NLMSG_HDRLEN.min(self.data.len() - o));
        sink.open((&n("nlmsghdr"), &n("nlmsg"), None), Val::Null, show, at);
        sink.number(
            (&n("nlmsg_len"), &n("nlmsg.len"), None),
            Val::Uint(m.len.into()),
            (o, 4),
        );
        let ty = i64::from(m.ty);
        let show = |t: &mut String| crate::model::push_enum_text(t, self.type_str(), ty);
        sink.open(
            (&n("nlmsg_type"), &n("nlmsg.type"), None),
            Val::Int(ty),
            show,
            (o + 4, 2),
        );
        sink.close();
        let flags = u64::from(m.flags);
        // `text::flags_text` of the flags' names and any bits left unnamed (in hex), written
        // straight into the line: this is written for every message.
        let show = |t: &mut String| {
            let mut named = false;
            let rest = self.each_flag(|n| {
                if std::mem::replace(&mut named, true) {
                    t.push('|');
                }
                t.push_str(n);
            });
            text::push_flags_end(t, named, u64::from(rest), flags, 4);
        };
        sink.open(
            (&n("nlmsg_flags"), &n("nlmsg.flags"), None),
            Val::Uint(flags),
            show,
            (o + 6, 2),
        );
        sink.close();
        sink.number(
            (&n("nlmsg_seq"), &n("nlmsg.seq"), None),
            Val::Uint(m.seq.into()),
            (o + 8, 4),
        );
        sink.number(
            (&n("nlmsg_pid"), &n("nlmsg.pid"), None),
            Val::Uint(m.pid.into()),
            (o + 12, 4),
        );
        let (out, depth) = sink.out_at();
        extra(out, depth);
        sink.close();
    }

    /// What writing [`MessageView::tree`]'s nodes with [`Node::write_text`] at `indent` gives,
    /// most of it written without building them (see `attrs::lines`).
    pub fn write_tree_text(&self, s: &mut String, indent: usize) {
        self.write_tree(&mut TextSink::new(s, indent));
    }

    /// What writing [`MessageView::tree`]'s nodes with [`Node::write_json`], comma-separated,
    /// gives (`s` ends inside a JSON array), most of it written without building them.
    pub fn write_tree_json(&self, s: &mut String) {
        self.write_tree(&mut JsonSink::new(s));
    }

    /// The tree [`MessageView::tree_pruned`] builds, written to `sink` as it is walked where
    /// it can be (what `prune` leaves bare is a node without name or field, nothing inside):
    /// what-changed gathers the leaves it compares so.
    pub fn write_pruned<S: Sink>(&self, prune: &Prune, sink: &mut S) {
        let v = MessageView {
            d: self.d,
            data: self.data,
            m: self.m,
            r: self.r.clone(),
            prune: Some(prune),
        };
        let m = &v.m;
        if v.is_uevent() || m.present < NLMSG_HDRLEN {
            for n in v.tree() {
                Sink::node(sink, &n);
            }
            return;
        }
        let span = (m.offset + NLMSG_HDRLEN, m.offset + m.present);
        v.payload_into(span, 0, None, &mut Out::Written(sink));
    }

    fn write_tree(&self, sink: &mut dyn Written) {
        let m = &self.m;
        if self.is_uevent() || self.prune.is_some() || m.present < NLMSG_HDRLEN {
            for n in self.tree() {
                sink.node(&n);
            }
            return;
        }
        let span = (m.offset + NLMSG_HDRLEN, m.offset + m.present);
        self.payload_into(span, 0, None, &mut Out::Written(sink));
    }
}
