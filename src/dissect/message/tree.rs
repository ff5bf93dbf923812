//! Dissection trees: the nlmsghdr node and everything after it, built on demand for one
//! message (the packet list never needs them).

use super::super::attrs::{Prune, Walker, Want, guess_display, mark_raw};
use super::super::families::{Layout, Payload};
use super::super::specs::{AttrSet, Op, Spec, StructDef};
use super::super::{Dissector, MsgIndex, infer_direction};
use super::written::Out;
use super::{MessageView, Target};

use crate::model::{Direction, Endian, Node, Severity, Value, text};
use crate::netlink::*;

/// The family's fixed header `st` at `pos` (below field path `root`) as a node, and where the
/// attributes start; a bare node (no name or field) when the walker's pruning (what-changed's)
/// says it is alike in both messages compared.
pub(super) fn header_node_or_bare(
    w: &Walker,
    st: &StructDef,
    root: &str,
    pos: usize,
    end: usize,
) -> (Node, usize) {
    if w.prune.is_some_and(Prune::header) {
        let next = w.header_end(st, pos, end);
        let n = Node::new(String::new(), String::new(), Value::None, pos, next - pos);
        return (n, next);
    }
    w.header_node(st, root, pos, end)
}

/// A generic netlink message's layout after its genlmsghdr: the op's (else the family's)
/// fixed header; the op's top-level set, else the family's only one (an unknown command of a
/// family with several sets has none: walked generically, not guessed); the attributes' byte
/// order.
pub(super) fn genl_layout<'s>(
    spec: &'s Spec,
    op: Option<&'s Op>,
    endian: Endian,
) -> (Option<&'s StructDef>, Option<&'s AttrSet>, Endian) {
    let hdr = op
        .and_then(|o| o.fixed_header.as_deref())
        .or(spec.fixed_header.as_deref())
        .and_then(|h| spec.structs.get(h));
    let set = op
        .and_then(|o| o.attribute_set.as_deref())
        .or_else(|| spec.sole_set())
        .and_then(|s| spec.sets.get(s));
    let endian = if spec.attrs_big_endian {
        Endian::Big
    } else {
        endian
    };
    (hdr, set, endian)
}

impl<'a> MessageView<'a> {
    /// A classic-family payload (`data[start..end]`) as its family's hooks see it, and the
    /// layout its tree reads: the one the hooks pick by content, else the op's fixed header
    /// and attribute set.
    pub(super) fn raw_layout<'s>(
        &'s self,
        spec: &'a Spec,
        op: &'a Op,
        start: usize,
        end: usize,
    ) -> (Payload<'s>, Layout<'s>) {
        let p = Payload {
            view: self,
            specs: &self.d.specs,
            spec,
            op,
            m: &self.m,
            data: self.data,
            start,
            end,
        };
        let layout = self.hooks().layout(&p).unwrap_or_else(|| {
            let hdr = op.fixed_header.as_deref().or(spec.fixed_header.as_deref());
            Layout {
                spec,
                header: hdr.and_then(|h| spec.structs.get(h)),
                set: op.attribute_set.as_deref().and_then(|s| spec.sets.get(s)),
            }
        });
        (p, layout)
    }

    /// The nlmsghdr node with its five fields.
    pub fn header_node(&self) -> Node {
        let m = &self.m;
        if self.is_uevent() {
            return self.uevent_header_node();
        }
        let o = m.offset;
        let mut n = Node::new(
            "nlmsghdr",
            "nlmsg",
            Value::None,
            o,
            NLMSG_HDRLEN.min(self.data.len() - o),
        );
        let ty = &self.resolved().type_name;
        let mut ib = itoa::Buffer::new();
        let l = ib.format(m.len);
        n.display = String::with_capacity(ty.len() + l.len() + 6);
        n.display.push_str(ty);
        n.display.push_str(", len ");
        n.display.push_str(l);
        let (names, rest) = self.flag_names();
        let rest_text = (rest != 0).then(|| text::hex_u64(u64::from(rest)));
        let mut shown = names.clone();
        shown.extend(rest_text.as_deref());
        // The value after `new`: its own display (bits without the unnamed rest) is not shown.
        let mut flags = Node::new("nlmsg_flags", "nlmsg.flags", Value::None, o + 6, 2);
        flags.display = text::flags_text(&shown, u64::from(m.flags), 4);
        flags.value = Value::Flags {
            value: u64::from(m.flags),
            names: names.iter().map(|s| s.to_string()).collect(),
        };
        let mut len = Node::new(
            "nlmsg_len",
            "nlmsg.len",
            Value::Uint(u64::from(m.len)),
            o,
            4,
        );
        if (m.len as usize) < NLMSG_HDRLEN {
            len.set_expert(
                Severity::Error,
                format!("nlmsg_len {} is less than the 16-byte header", m.len),
            );
        } else if m.len as usize > m.present {
            len.set_expert(
                Severity::Error,
                format!(
                    "nlmsg_len {} exceeds the {} bytes present",
                    m.len, m.present
                ),
            );
        }
        n.children = vec![
            len,
            Node::new(
                "nlmsg_type",
                "nlmsg.type",
                Value::Enum {
                    value: i64::from(m.ty),
                    name: self.type_name(),
                },
                o + 4,
                2,
            ),
            flags,
            Node::new(
                "nlmsg_seq",
                "nlmsg.seq",
                Value::Uint(u64::from(m.seq)),
                o + 8,
                4,
            ),
            Node::new(
                "nlmsg_pid",
                "nlmsg.pid",
                Value::Uint(u64::from(m.pid)),
                o + 12,
                4,
            ),
        ];
        n
    }

    /// The dissection tree of everything after the nlmsghdr.
    pub fn tree(&self) -> Vec<Node> {
        self.tree_for(None)
    }

    /// [`MessageView::tree`] with the attributes `prune` picks as bare nodes (no name or field,
    /// nothing decoded inside): what-changed skips those, so it compares such trees as it
    /// would whole ones, and counters (half of a link message) or what did not change cost
    /// nothing. Not for showing.
    pub fn tree_pruned(&self, prune: &Prune) -> Vec<Node> {
        MessageView {
            d: self.d,
            data: self.data,
            m: self.m,
            r: self.r.clone(),
            prune: Some(prune),
        }
        .tree()
    }

    /// [`MessageView::tree`], or with `want` only what answers those fields (a filter's tree:
    /// see [`Want`]), which is much cheaper and must not be shown.
    pub fn tree_for(&self, want: Option<&Want>) -> Vec<Node> {
        let m = &self.m;
        if self.is_uevent() {
            return self.uevent_tree();
        }
        let start = m.offset + NLMSG_HDRLEN;
        let end = m.offset + m.present;
        if m.present < NLMSG_HDRLEN {
            return Vec::new();
        }
        self.payload(start, end, 0, want)
    }

    fn payload(&self, start: usize, end: usize, depth: usize, want: Option<&Want>) -> Vec<Node> {
        let mut out = Vec::new();
        self.payload_into((start, end), depth, want, &mut Out::Nodes(&mut out));
        out
    }

    /// [`MessageView::payload`] into `out`: nodes, or text lines written at once.
    pub(super) fn payload_into(
        &self,
        (start, end): (usize, usize),
        depth: usize,
        want: Option<&Want>,
        out: &mut Out<'_>,
    ) {
        let m = &self.m;
        match self.target() {
            Target::Control => out.nodes(match m.ty {
                NLMSG_ERROR => self.error_tree(start, end, depth, want),
                NLMSG_DONE => self.done_tree(start, end),
                NLMSG_NOOP | NLMSG_OVERRUN if start == end => Vec::new(),
                _ => vec![raw_bytes(self.data, start, end, "payload", "nlmsg.payload")],
            }),
            Target::Genl { family, spec, op } => {
                self.genl_tree((start, end), (family, spec, op), want, out);
            }
            Target::Raw { spec, op } => {
                let hooks = self.hooks();
                // A tree its family finishes is built whole first.
                if matches!(out, Out::Written(..)) && hooks.finish().is_some() {
                    return out.nodes(self.payload(start, end, depth, want));
                }
                let (p, layout) = self.raw_layout(spec, op, start, end);
                let (spec, hdr_struct, set) = (layout.spec, layout.header, layout.set);
                if matches!(out, Out::Written(..)) && self.zeros_read_otherwise(spec) {
                    return out.nodes(self.payload(start, end, depth, want));
                }
                // A filter's tree of a family it does not ask about: nothing to build.
                if want.is_some_and(|w| !w.level(spec.field_root())) {
                    return;
                }
                if let Some(n) = hooks.short_header(&p, hdr_struct) {
                    return out.node(n);
                }
                let context;
                let want = match want {
                    Some(w) if hooks.finish_reads_values() => {
                        context = w.with_all_plain();
                        Some(&context)
                    }
                    w => w,
                };
                let paths = hooks.override_paths();
                let overrides = match want {
                    Some(w) if !paths.iter().any(|f| w.covers(f)) => Vec::new(),
                    _ => hooks.overrides(&p),
                };
                debug_assert!(overrides.iter().all(|(f, _)| paths.contains(&f.as_str())));
                let w = Walker {
                    data: self.data,
                    endian: m.endian,
                    spec: Some(spec),
                    overrides,
                    op: Some(op.name.as_str()),
                    want,
                    // `finish` reads values across attributes: every one is built.
                    prune: self.prune.filter(|_| !hooks.finish_reads_values()),
                };
                let mut pos = start;
                if let Some(st) = hdr_struct {
                    pos = out.header(&w, st, spec.field_root(), (pos, end));
                }
                // Bytes between the header (if any) and the attributes: ND options, a
                // connector message's data, an audit record's text.
                if let Some((n, after)) = hooks.between(&p, pos) {
                    out.node(n);
                    pos = after;
                }
                out.attrs(&w, (pos, end), set, spec.field_root());
                if let Out::Nodes(out) = out {
                    if let Some(finish) = hooks.finish() {
                        finish(&p, out);
                    }
                    self.unspecified_zeros(spec, out, 0);
                }
            }
            Target::Unknown => out.nodes(unknown_payload(self.data, start, end, m.endian)),
        }
    }

    fn genl_tree(
        &self,
        (start, end): (usize, usize),
        (family, spec, op): (Option<&str>, Option<&Spec>, Option<&Op>),
        want: Option<&Want>,
        out: &mut Out<'_>,
    ) {
        let m = &self.m;
        if matches!(out, Out::Written(..)) && spec.is_some_and(|s| self.zeros_read_otherwise(s)) {
            return out.nodes(self.payload(start, end, 0, want));
        }
        if end - start < 4 {
            return out.node(Node::expert(
                Severity::Error,
                format!("{} bytes, too short for the 4-byte genlmsghdr", end - start),
                "genl",
                start,
                end - start,
            ));
        }
        // A family without a spec roots its fields as a spec of that name would, and apart
        // from every spec's: a learned name is capture data (`genl-families: 16=nl80211.wiphy`
        // must not make fields that read as nl80211's `wiphy`, nor `RT-LINK` rt-link's, which
        // a filter would not look for in generic netlink messages).
        let mut bare_root: String;
        let root = match (spec, family) {
            (Some(s), _) => s.field_root(),
            (None, Some(f)) => {
                bare_root = Spec::root_of(f);
                if self.d.specs.names().any(|n| Spec::root_of(n) == bare_root) {
                    bare_root.insert_str(0, "genl-");
                }
                bare_root.as_str()
            }
            (None, None) => "genl",
        };
        // A filter's tree that reads neither the genl header nor this family: nothing to build.
        if let Some(w) = want
            && !w.covers("genl")
            && !w.level(root)
        {
            return;
        }
        let cmd = byte(self.data, start);
        let version = byte(self.data, start + 1);
        let reserved = m.endian.u16(self.data, start + 2).unwrap_or(0);
        let cmd_name = op.map(|o| o.cname.clone()).unwrap_or_default();
        let mut g = Node::new("genlmsghdr", "genl", Value::None, start, 4);
        // "FAMILY CMD_NAME" or "FAMILY cmd N", by hand: every generic netlink tree has one.
        g.display = match family {
            Some(f) => {
                let mut d = String::with_capacity(f.len() + 1 + cmd_name.len().max(7));
                d.push_str(f);
                if cmd_name.is_empty() {
                    d.push_str(" cmd ");
                    d.push_str(itoa::Buffer::new().format(cmd));
                } else {
                    d.push(' ');
                    d.push_str(&cmd_name);
                }
                d
            }
            None => format!("unknown family id {:#x} cmd {cmd}", m.ty),
        };
        g.children = vec![
            Node::new(
                "cmd",
                "genl.cmd",
                Value::Enum {
                    value: i64::from(cmd),
                    name: cmd_name,
                },
                start,
                1,
            ),
            Node::new(
                "version",
                "genl.version",
                Value::Uint(u64::from(version)),
                start + 1,
                1,
            ),
            Node::new(
                "reserved",
                "genl.reserved",
                Value::Uint(u64::from(reserved)),
                start + 2,
                2,
            ),
        ];
        if let Some((f, Some(guess))) = self.genl_family_guess() {
            g.children.push(Node::expert(
                Severity::Note,
                format!(
                    "family id {:#x} is not named in this capture: guessed {f} (its command and {} of {} attributes fit); name it with --genl {f}={} or Decode As",
                    m.ty, guess.fit, guess.of, m.ty
                ),
                "genl",
                start,
                4,
            ));
        }
        let mut pos = start + 4;
        let Some(spec) = spec else {
            let w = Walker {
                data: self.data,
                endian: m.endian,
                spec: None,
                overrides: Vec::new(),
                op: None,
                want,
                prune: self.prune,
            };
            if family.is_none() {
                g.set_expert(
                    Severity::Note,
                    format!(
                        "generic netlink family id {:#x} not resolved (no nlctrl reply for it in the capture)",
                        m.ty
                    ),
                );
            }
            out.node(g);
            return out.attrs(&w, (pos, end), None, root);
        };
        out.node(g);
        let w = Walker {
            data: self.data,
            endian: m.endian,
            spec: Some(spec),
            overrides: Vec::new(),
            op: op.map(|o| o.name.as_str()),
            want,
            prune: self.prune,
        };
        let (hdr, set, attrs_endian) = genl_layout(spec, op, m.endian);
        if let Some(st) = hdr {
            pos = out.header(&w, st, spec.field_root(), (pos, end));
        }
        let w = Walker {
            endian: attrs_endian,
            ..w
        };
        out.attrs(&w, (pos, end), set, spec.field_root());
        if let Out::Nodes(out) = out {
            self.unspecified_zeros(spec, out, 0);
        }
    }

    /// Whether [`MessageView::unspecified_zeros`] may change this message's tree (a request
    /// of a spec that says what a zero means somewhere): it is then built whole to be written.
    fn zeros_read_otherwise(&self, spec: &Spec) -> bool {
        self.m.direction == Direction::ToKernel && spec.zeros_in_request
    }

    /// In a request, a zero in a struct member whose spec says what zero means there
    /// (`nlscope-zero-in-request`) reads as that (`unspecified (0)`), not as the enum entry
    /// of value 0: in the fixed header and in structs inside attributes (the peer's
    /// ifinfomsg of a veth). The value stays 0 for filters.
    fn unspecified_zeros(&self, spec: &Spec, nodes: &mut [Node], depth: usize) {
        if self.m.direction != crate::model::Direction::ToKernel || depth > 32 {
            return;
        }
        for n in nodes {
            if let Some(st) = spec.structs.get(n.name.as_ref()) {
                for m in &st.members {
                    let Some(text) = &m.zero_in_request else {
                        continue;
                    };
                    let name = m.name.replace('-', "_");
                    if let Some(c) = n.children.iter_mut().find(|c| c.name == name)
                        && matches!(
                            c.value,
                            Value::Uint(0) | Value::Int(0) | Value::Enum { value: 0, .. }
                        )
                    {
                        c.value = Value::Enum {
                            value: 0,
                            name: text.clone(),
                        };
                        c.display = format!("{text} (0)");
                    }
                }
            }
            self.unspecified_zeros(spec, &mut n.children, depth + 1);
        }
    }

    fn error_node(&self, at: usize) -> Node {
        let e = self.m.endian.u32(self.data, at).unwrap_or(0) as i32;
        let name = if e == 0 {
            "ACK".to_string()
        } else {
            errno_name(-i64::from(e)).unwrap_or("").to_string()
        };
        let mut n = Node::new(
            "error",
            "nlmsg.error",
            Value::Enum {
                value: i64::from(e),
                name,
            },
            at,
            4,
        );
        n.display = if e == 0 {
            "0 (ACK)".into()
        } else {
            errno_text(e)
        };
        n
    }

    fn done_tree(&self, start: usize, end: usize) -> Vec<Node> {
        let mut out = Vec::new();
        if end - start >= 4 {
            out.push(self.error_node(start));
        } else if end > start {
            out.push(raw_bytes(self.data, start, end, "payload", "nlmsg.payload"));
        }
        if let Some(t) = self.extack_start()
            && t < end
        {
            out.push(self.extack_node(t, end, None));
        }
        out
    }

    fn error_tree(&self, start: usize, end: usize, depth: usize, want: Option<&Want>) -> Vec<Node> {
        let m = &self.m;
        if end - start < 4 {
            return vec![Node::expert(
                Severity::Error,
                format!(
                    "NLMSG_ERROR payload of {} bytes lacks the 4-byte error code",
                    end - start
                ),
                "nlmsg.error",
                start,
                end - start,
            )];
        }
        let mut out = vec![self.error_node(start)];
        let rq = start + 4;
        if end - rq < NLMSG_HDRLEN {
            if end > rq {
                out.push(Node::expert(
                    Severity::Error,
                    format!(
                        "{} bytes where the echoed 16-byte request header belongs",
                        end - rq
                    ),
                    "nlmsgerr.request",
                    rq,
                    end - rq,
                ));
            }
            return out;
        }
        let e = m.endian;
        let rlen = e.u32(self.data, rq).unwrap_or(0);
        let rty = e.u16(self.data, rq + 4).unwrap_or(0);
        let rflags = e.u16(self.data, rq + 6).unwrap_or(0);
        let capped = m.flags & 0x100 != 0;
        let echoed = if capped {
            NLMSG_HDRLEN
        } else {
            (rlen as usize).clamp(NLMSG_HDRLEN, end - rq)
        };
        let sub = MsgIndex {
            offset: rq,
            len: rlen,
            ty: rty,
            flags: rflags,
            seq: e.u32(self.data, rq + 8).unwrap_or(0),
            pid: e.u32(self.data, rq + 12).unwrap_or(0),
            protocol: m.protocol,
            direction: infer_direction(m.protocol, rty, rflags),
            endian: e,
            genl_cmd: if m.protocol == NETLINK_GENERIC && echoed > NLMSG_HDRLEN {
                self.data.get(rq + NLMSG_HDRLEN).copied()
            } else {
                None
            },
            error: None,
            present: echoed,
        };
        let sv = MessageView::new(self.d, self.data, &sub);
        // A filter's tree that reads nothing of the error itself: only the echoed request's
        // payload may hold its fields (where in the tree does not matter to a filter).
        if let Some(w) = want
            && !w.covers("nlmsgerr")
        {
            return if !capped && echoed > NLMSG_HDRLEN && depth == 0 {
                sv.payload(rq + NLMSG_HDRLEN, rq + echoed, depth + 1, want)
            } else {
                Vec::new()
            };
        }
        let mut req = sv.header_node();
        req.name = "request".into();
        req.field = "nlmsgerr.request".into();
        for c in req.children.iter_mut() {
            c.field = c.field.replacen("nlmsg.", "nlmsgerr.request.", 1).into();
            c.expert = None;
        }
        req.length = echoed;
        req.display = format!(
            "{} seq {} pid {}{}",
            sv.type_name(),
            sub.seq,
            sub.pid,
            if capped {
                " (payload not echoed: NLM_F_CAPPED)"
            } else {
                ""
            }
        );
        if !capped && echoed > NLMSG_HDRLEN && depth == 0 {
            req.children
                .extend(sv.payload(rq + NLMSG_HDRLEN, rq + echoed, depth + 1, want));
        }
        out.push(req);
        if let Some(t) = self.extack_start()
            && t < end
        {
            out.push(self.extack_node(t, end, Some((&out, rq, &sv))));
        }
        out
    }

    /// Extended ACK TLVs, described by the `netlink` spec's `nlmsgerr-attrs` set. When the
    /// request is at hand, NLMSGERR_ATTR_OFFS and MISS_TYPE are named.
    fn extack_node(
        &self,
        start: usize,
        end: usize,
        req: Option<(&Vec<Node>, usize, &MessageView)>,
    ) -> Node {
        let spec = self.d.specs.get("netlink");
        let set = spec.and_then(|s| s.sets.get("nlmsgerr-attrs"));
        let w = Walker {
            data: self.data,
            endian: self.m.endian,
            spec,
            overrides: Vec::new(),
            op: None,
            want: None,
            prune: None,
        };
        let mut kids = w.attrs(start, end, set, "nlmsgerr", 0);
        if set.is_none() {
            mark_raw(&mut kids);
        }
        if let Some((nodes, rq, sv)) = req {
            // The request node at an offset: in the echoed payload, or else in the request
            // seen earlier in the capture (capped acks). Returns its name and field path.
            let locate = |off: usize| -> Option<(String, String, bool)> {
                let echoed = nodes
                    .iter()
                    .find(|n| n.field == "nlmsgerr.request")
                    .and_then(|r| Node::deepest_at(&r.children, rq + off))
                    .and_then(|p| {
                        p.last()
                            .map(|n| (n.name.to_string(), n.field.to_string(), false))
                    });
                echoed.or_else(|| {
                    let bytes = self.d.recent_request(self.m.protocol, sv.m.pid, sv.m.seq)?;
                    node_at_offset(self.d, bytes, &sv.m, off).map(|(n, f)| (n, f, true))
                })
            };
            let uint = |k: &Node| match k.value {
                Value::Uint(v) => usize::try_from(v).ok(),
                _ => None,
            };
            let mut nest_field: Option<String> = None;
            for k in kids.iter_mut() {
                let Some(v) = uint(k) else { continue };
                if k.field == "nlmsgerr.offs" || k.field == "nlmsgerr.miss-nest" {
                    let what = if k.field == "nlmsgerr.offs" {
                        "points at"
                    } else {
                        "in"
                    };
                    k.display = match locate(v) {
                        Some((name, field, earlier)) => {
                            if k.field == "nlmsgerr.miss-nest" {
                                nest_field = Some(field.clone());
                            }
                            let src = if earlier {
                                " in the request seen earlier"
                            } else {
                                ""
                            };
                            format!("offset {v}: {what} {name} ({field}){src}")
                        }
                        None if self.m.flags & 0x100 != 0 => {
                            format!("offset {v} into the request (not echoed)")
                        }
                        None => format!("offset {v} into the request"),
                    };
                }
            }
            for k in kids.iter_mut() {
                let Some(v) = uint(k) else { continue };
                if k.field == "nlmsgerr.miss-type"
                    && let Some(a) = sv.missing_attr(nest_field.as_deref(), v)
                {
                    k.display = format!("{} ({v}) missing", a.cname);
                }
            }
        }
        let mut n = Node::new("extended ack", "nlmsgerr", Value::None, start, end - start);
        n.display = format!("{} attributes", kids.len());
        n.children = kids;
        n
    }
}

/// The attribute at byte `off` of a request held outside the frame (capped acks): name and
/// field path.
fn node_at_offset(
    d: &Dissector,
    bytes: &[u8],
    hdr: &MsgIndex,
    off: usize,
) -> Option<(String, String)> {
    let m = MsgIndex {
        offset: 0,
        present: bytes.len(),
        genl_cmd: if hdr.protocol == NETLINK_GENERIC {
            bytes.get(NLMSG_HDRLEN).copied()
        } else {
            None
        },
        ..*hdr
    };
    let v = MessageView::new(d, bytes, &m);
    let tree = v.tree();
    Node::deepest_at(&tree, off)
        .and_then(|p| p.last().map(|n| (n.name.to_string(), n.field.to_string())))
}

fn raw_bytes(data: &[u8], start: usize, end: usize, name: &str, field: &str) -> Node {
    let b = data.get(start..end).unwrap_or_default();
    let mut n = Node::new(
        name.to_string(),
        field.to_string(),
        Value::Bytes(b.to_vec()),
        start,
        end - start,
    );
    n.display = guess_display(b);
    n.raw = true;
    n
}

/// A payload no spec describes: attributes when it parses as a TLV chain after a plausible
/// fixed header (tried at 4-byte steps up to 64 bytes), else bytes.
fn unknown_payload(data: &[u8], start: usize, end: usize, endian: Endian) -> Vec<Node> {
    if start >= end {
        return Vec::new();
    }
    let parses = |from: usize| -> bool {
        let mut pos = from;
        let mut n = 0;
        while pos + 4 <= end {
            let l = usize::from(endian.u16(data, pos).unwrap_or(0));
            if l < 4 || pos + l > end {
                return false;
            }
            n += 1;
            pos += align4(l);
        }
        n > 0 && pos >= end
    };
    let mut k = 0;
    while k <= 64 && start + k < end {
        if parses(start + k) {
            let mut out = Vec::new();
            if k > 0 {
                out.push(raw_bytes(data, start, start + k, "header", "nlmsg.header"));
            }
            let w = Walker {
                data,
                endian,
                spec: None,
                overrides: Vec::new(),
                op: None,
                want: None,
                prune: None,
            };
            let mut attrs = w.attrs(start + k, end, None, "nlmsg.attr", 0);
            mark_raw(&mut attrs);
            out.extend(attrs);
            return out;
        }
        k += 4;
    }
    vec![raw_bytes(data, start, end, "payload", "nlmsg.payload")]
}
