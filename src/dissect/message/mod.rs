//! One message: names, flags in context, summary, and its dissection tree.

use super::specs::{AttrSet, Op, Spec};
use super::{Dissector, MsgIndex};
use crate::model::Direction;
use crate::netlink::*;

mod direct;
mod fingerprint;
mod resolutions;
mod tree;
mod uevent;
mod written;

pub use resolutions::Resolutions;
pub use uevent::fields as uevent_fields;

/// What decodes a message's payload.
enum Target<'a> {
    /// NLMSG_NOOP / ERROR / DONE / OVERRUN / reserved.
    Control,
    /// Generic netlink: family name if learned, spec and op if loaded.
    Genl {
        family: Option<&'a str>,
        spec: Option<&'a Spec>,
        op: Option<&'a Op>,
    },
    /// A classic protocol described by a spec.
    Raw { spec: &'a Spec, op: &'a Op },
    /// Nothing known beyond the header.
    Unknown,
}

/// [`Target`] as indices into the spec registry, so it can be cached.
#[derive(Debug, Clone)]
enum TargetIds {
    Control,
    Genl {
        spec: Option<usize>,
        op: Option<usize>,
    },
    Raw {
        spec: usize,
        op: usize,
    },
    Unknown,
}

/// What a kind of message resolves to; cached per (protocol, type, command, direction, dump
/// bits) by the dissector, so the names are looked up once, not once per message.
pub struct Resolved {
    target: TargetIds,
    type_name: String,
    family_name: String,
    flag_ctx: FlagContext,
    keys: Option<(usize, Vec<(u16, u8)>)>,
    /// Where the top-level attributes start (relative to the payload): for summaries.
    top: Option<usize>,
    /// Name of the spec that describes this kind.
    spec_name: Option<String>,
    /// Per-kind data a family hook computed once (see [`MessageView::memo`]).
    memo: std::cell::OnceCell<Box<dyn std::any::Any>>,
    /// Summary lines' columns of the kind (see [`MessageView::summary_columns`]).
    summary_columns: std::cell::OnceCell<String>,
    /// Summary lines' flags columns by flags value (see [`MessageView::summary_flags`]):
    /// kinds see few (a request's, a dump's parts, a notification's).
    summary_flags: crate::model::text::Kept<u16, 8>,
    /// The type numbers of the top-level fields filters read of the kind (`direct.rs`).
    direct_types: direct::TypesMemo,
    /// The family's code hooks (found by spec name once per kind, not per message).
    hooks: &'static dyn super::families::Family,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("type_name", &self.type_name)
            .field("family_name", &self.family_name)
            .finish_non_exhaustive()
    }
}

impl Clone for Resolved {
    fn clone(&self) -> Self {
        Resolved {
            target: self.target.clone(),
            type_name: self.type_name.clone(),
            family_name: self.family_name.clone(),
            flag_ctx: self.flag_ctx,
            keys: self.keys.clone(),
            top: self.top,
            spec_name: self.spec_name.clone(),
            memo: std::cell::OnceCell::new(),
            summary_columns: std::cell::OnceCell::new(),
            summary_flags: Default::default(),
            direct_types: direct::TypesMemo::default(),
            hooks: self.hooks,
        }
    }
}

/// Cache key of [`Resolved`].
/// (protocol, type, genl command, direction, dump request, unsolicited from the kernel).
pub type ResolveKey = (u32, u16, Option<u8>, u8, bool, bool);

/// Sent by the kernel unasked: a multicast notification carries portid 0 and sequence 0.
fn unsolicited(m: &MsgIndex) -> bool {
    m.direction == Direction::FromKernel && m.pid == 0 && m.seq == 0
}

/// A message of a frame, with the dissector that knows how to read it.
pub struct MessageView<'a> {
    d: &'a Dissector,
    data: &'a [u8],
    // Held by value (it is small): a store may keep its rows packed and unpack them per view.
    m: MsgIndex,
    r: std::cell::OnceCell<std::rc::Rc<Resolved>>,
    /// Attributes the tree builds bare ([`MessageView::tree_pruned`]).
    prune: Option<&'a crate::dissect::attrs::Prune>,
}

impl<'a> MessageView<'a> {
    pub(super) fn new(d: &'a Dissector, data: &'a [u8], m: &MsgIndex) -> Self {
        MessageView {
            d,
            data,
            m: *m,
            r: std::cell::OnceCell::new(),
            prune: None,
        }
    }

    /// The indexed header facts.
    pub fn index(&self) -> &MsgIndex {
        &self.m
    }

    fn target(&self) -> Target<'a> {
        match &self.resolved().target {
            TargetIds::Control => Target::Control,
            TargetIds::Genl { spec, op } => {
                let spec = spec.and_then(|i| self.d.specs.spec_at(i));
                Target::Genl {
                    family: self.genl_family(),
                    spec,
                    op: op.and_then(|o| spec?.ops.get(o)),
                }
            }
            TargetIds::Raw { spec, op } => {
                match (self.d.specs.spec_at(*spec)).and_then(|s| Some((s, s.ops.get(*op)?))) {
                    Some((spec, op)) => Target::Raw { spec, op },
                    None => Target::Unknown,
                }
            }
            TargetIds::Unknown => Target::Unknown,
        }
    }

    /// Names and context of this kind of message, resolved once per kind (see `Dissector`).
    fn resolved(&self) -> &Resolved {
        self.r.get_or_init(|| {
            let m = &self.m;
            let key = (
                m.protocol,
                m.ty,
                m.genl_cmd,
                m.direction as u8,
                m.flags & 0x300 == 0x300,
                unsolicited(m),
            );
            self.d.resolved.get_or(key, || {
                let target = self.compute_target();
                let ids = match &target {
                    Target::Control => TargetIds::Control,
                    Target::Genl { spec, op, .. } => {
                        let si = spec.and_then(|s| self.d.specs.index_of(&s.name));
                        let oi = match (spec, op) {
                            (Some(s), Some(o)) => s.ops.iter().position(|x| std::ptr::eq(x, *o)),
                            _ => None,
                        };
                        TargetIds::Genl { spec: si, op: oi }
                    }
                    Target::Raw { spec, op } => {
                        match (
                            self.d.specs.index_of(&spec.name),
                            spec.ops.iter().position(|x| std::ptr::eq(x, *op)),
                        ) {
                            (Some(s), Some(o)) => TargetIds::Raw { spec: s, op: o },
                            _ => TargetIds::Unknown,
                        }
                    }
                    Target::Unknown => TargetIds::Unknown,
                };
                let spec_name = match &target {
                    Target::Genl { spec, .. } => spec.map(|s| s.name.clone()),
                    Target::Raw { spec, .. } => Some(spec.name.clone()),
                    _ => None,
                };
                let mut r = Resolved {
                    type_name: self.compute_type_name(&target),
                    flag_ctx: self.compute_flag_context(&target),
                    family_name: family_name(self.d, m.protocol),
                    target: ids,
                    keys: None,
                    top: None,
                    memo: std::cell::OnceCell::new(),
                    summary_columns: std::cell::OnceCell::new(),
                    summary_flags: Default::default(),
                    direct_types: direct::TypesMemo::default(),
                    hooks: spec_name
                        .as_deref()
                        .map_or(&super::families::Plain, super::families::family),
                    spec_name,
                };
                // attr_start needs the target, which reads the resolution being built.
                let probe = MessageView {
                    d: self.d,
                    data: self.data,
                    m: self.m,
                    r: std::cell::OnceCell::from(std::rc::Rc::new(r.clone())),
                    prune: None,
                };
                r.keys = probe.compute_keys();
                r.top = probe
                    .attr_start()
                    .map(|(start, _, _)| start - m.offset - NLMSG_HDRLEN);
                r
            })
        })
    }

    fn compute_target(&self) -> Target<'a> {
        let m = &self.m;
        let to_kernel = m.direction == Direction::ToKernel;
        if m.protocol == NETLINK_FIB_LOOKUP {
            // nl_fib_input (net/ipv4/fib_frontend.c) reads a struct fib_result_nl whatever
            // the type and echoes the message back: every type is the spec's one operation.
            if let Some((spec, op)) = self
                .d
                .specs
                .for_protonum(m.protocol)
                .find_map(|s| Some((s, s.ops.first()?)))
            {
                return Target::Raw { spec, op };
            }
        }
        if m.ty < NLMSG_MIN_TYPE {
            // The connector's messages are all NLMSG_DONE: its spec names that type.
            if m.protocol == NETLINK_CONNECTOR
                && m.ty == NLMSG_DONE
                && let Some((spec, op)) = self.d.specs.raw_op(m.protocol, m.ty, to_kernel)
            {
                return Target::Raw { spec, op };
            }
            return Target::Control;
        }
        if m.protocol == NETLINK_GENERIC {
            let family = self.genl_family();
            let spec = family.and_then(|f| self.d.specs.get(f));
            let op = match (spec, m.genl_cmd) {
                (Some(s), Some(c)) => s.op_for_msg(u16::from(c), to_kernel, unsolicited(m)),
                _ => None,
            };
            return Target::Genl { family, spec, op };
        }
        match self.d.specs.raw_op(m.protocol, m.ty, to_kernel) {
            Some((spec, op)) => Target::Raw { spec, op },
            None => Target::Unknown,
        }
    }

    /// Short family name: the protocol's (`route`, `generic`), or the spec claiming it.
    pub fn family_name(&self) -> String {
        self.resolved().family_name.clone()
    }

    /// [`MessageView::family_name`] without a copy.
    pub fn family_str(&self) -> &str {
        &self.resolved().family_name
    }

    /// Message type name: uapi constant (`RTM_GETLINK`, `NLMSG_ERROR`, `CTRL_CMD_GETFAMILY`).
    pub fn type_name(&self) -> String {
        self.resolved().type_name.clone()
    }

    /// [`MessageView::type_name`] without a copy.
    pub fn type_str(&self) -> &str {
        &self.resolved().type_name
    }

    fn compute_type_name(&self, target: &Target<'a>) -> String {
        let m = &self.m;
        if self.is_uevent() {
            return "uevent".into();
        }
        match *target {
            Target::Control => control_name(m.ty),
            Target::Genl { family, spec, op } => {
                let cmd = m.genl_cmd.map(u16::from);
                if let (Some(s), Some(op)) = (spec, op)
                    && s.directional
                {
                    // Directional ids (ethtool): a number names different messages each way;
                    // the uapi may name the kernel's answer <REQUEST><suffix>.
                    let reply = m.direction != Direction::ToKernel && !op.request_values.is_empty();
                    return match (&s.reply_suffix, reply) {
                        (Some(suffix), true) => format!("{}{suffix}", op.cname),
                        _ => op.cname.clone(),
                    };
                }
                // An event sent unasked is named as the event, also where a command shares
                // its number (IOAM6's trace event is 1, like add-namespace).
                if let Some(op) = op.filter(|o| o.event && unsolicited(m)) {
                    return op.cname.clone();
                }
                if let (Some(s), Some(c)) = (spec, cmd)
                    && let Some(n) = s.type_name(c)
                {
                    return n.to_string();
                }
                match (op, family, cmd) {
                    (Some(op), _, _) => op.cname.clone(),
                    (None, Some(f), Some(c)) => format!("{f} cmd {c}"),
                    (None, Some(f), None) => f.to_string(),
                    (None, None, _) => format!("genl family {:#x}", m.ty),
                }
            }
            Target::Raw { spec, op } => spec.type_name(m.ty).unwrap_or(&op.cname).to_string(),
            Target::Unknown => {
                if m.protocol == NETLINK_ROUTE
                    && let Some((_, n)) = RTM_NAMES.iter().find(|(v, _)| *v == m.ty)
                {
                    return (*n).to_string();
                }
                format!("type {}", m.ty)
            }
        }
    }

    /// Generic netlink family name, when the message is generic netlink.
    pub fn genl_family(&self) -> Option<&'a str> {
        self.genl_family_guess().map(|(f, _)| f)
    }

    /// Generic netlink family name and, when the capture never named the id, how well the
    /// guessed family fits (see `dissect::genl_guess`).
    pub fn genl_family_guess(
        &self,
    ) -> Option<(&'a str, Option<crate::dissect::genl_guess::Guess>)> {
        if self.m.protocol == NETLINK_GENERIC && self.m.ty >= NLMSG_MIN_TYPE {
            self.d.genl_family_of(self.data, &self.m)
        } else {
            None
        }
    }

    /// Which reading of the upper flag bits applies to this message.
    pub fn flag_context(&self) -> FlagContext {
        self.resolved().flag_ctx
    }

    fn compute_flag_context(&self, target: &Target<'a>) -> FlagContext {
        let m = &self.m;
        if m.ty == NLMSG_ERROR || m.ty == NLMSG_DONE {
            return FlagContext::Ack;
        }
        let ctx = match *target {
            Target::Control => FlagContext::Unknown,
            Target::Genl { op: Some(op), .. } => FlagContext::from_op_name(&op.name),
            Target::Raw { spec, op } => {
                // Name by the op that owns the type (RTM_NEWLINK replies to getlink are "new").
                let owner = spec
                    .ops
                    .iter()
                    .find(|o| o.request_values.contains(&m.ty))
                    .unwrap_or(op);
                FlagContext::from_op_name(&owner.name)
            }
            _ => FlagContext::Unknown,
        };
        if ctx != FlagContext::Unknown {
            return ctx;
        }
        if m.protocol == NETLINK_ROUTE && m.ty >= 16 {
            // rtnetlink types come in groups of four: NEW, DEL, GET, SET.
            return match (m.ty - 16) % 4 {
                0 | 3 => FlagContext::New,
                1 => FlagContext::Del,
                _ => FlagContext::Get,
            };
        }
        if m.direction == Direction::ToKernel && m.flags & 0x300 == 0x300 {
            return FlagContext::Get;
        }
        FlagContext::Unknown
    }

    /// Flag names in context, and bits without a name.
    pub fn flag_names(&self) -> (Vec<&'static str>, u16) {
        flag_names(self.m.flags, self.flag_context())
    }

    /// [`MessageView::flag_names`] one at a time into `f`; returns the bits left unnamed.
    pub fn each_flag(&self, f: impl FnMut(&'static str)) -> u16 {
        crate::netlink::each_flag(self.m.flags, self.flag_context(), f)
    }

    /// One-line description for the summary and the packet list's Info column.
    pub fn summary(&self) -> String {
        self.summary_with(self.type_name())
    }

    /// [`MessageView::summary`] given the already computed type name.
    pub fn summary_with(&self, tn: String) -> String {
        let mut s = String::with_capacity(tn.len() + 32);
        self.write_summary(&mut s, &tn);
        s
    }

    /// Append the summary to `out`, given the type name.
    pub fn write_summary(&self, out: &mut String, tn: &str) {
        let m = &self.m;
        if self.is_uevent() {
            return self.uevent_summary(out, tn);
        }
        if !matches!(self.resolved().target, TargetIds::Control) {
            out.push_str(tn);
            if super::families::summary(self, out) {
                return;
            }
            if m.direction == Direction::ToKernel {
                if self.flag_context() == FlagContext::Get && m.flags & 0x300 == 0x300 {
                    out.push_str(" dump");
                } else {
                    out.push_str(" request");
                }
            } else if m.flags & 0x2 != 0 {
                out.push_str(" reply");
            }
            if let Some(k) = self.key_attr() {
                out.push(' ');
                out.push_str(&k);
            }
            return;
        }
        self.control_summary(out);
    }

    /// Acks, errors and NLMSG_DONE: written into `out` (a dump's replies end in one each).
    fn control_summary(&self, out: &mut String) {
        let m = &self.m;
        if m.ty == NLMSG_ERROR {
            let req_ty = self.m.endian.u16(self.data, m.offset + NLMSG_HDRLEN + 8);
            let req = req_ty.map(|t| {
                let sub = MsgIndex {
                    ty: t,
                    direction: Direction::ToKernel,
                    // A capped ack echoes only the request's header: what follows it are
                    // extended-ack attributes, not the request's genlmsghdr.
                    genl_cmd: if m.flags & crate::netlink::NLM_F_CAPPED != 0 {
                        None
                    } else {
                        self.data
                            .get(m.offset + NLMSG_HDRLEN + 4 + NLMSG_HDRLEN)
                            .copied()
                    },
                    ..*m
                };
                MessageView::new(self.d, self.data, &sub)
            });
            let for_req = |out: &mut String| {
                if let Some(r) = &req {
                    out.push_str(" for ");
                    out.push_str(r.type_str());
                }
            };
            match m.error {
                Some(0) => {
                    out.push_str("ACK");
                    for_req(out);
                }
                Some(e) => {
                    out.push_str("error ");
                    out.push_str(&errno_text(e));
                    for_req(out);
                    if let Some(msg) = self.extack_msg() {
                        out.push_str(": ");
                        out.push_str(&msg);
                    }
                }
                None => out.push_str("NLMSG_ERROR (truncated)"),
            }
            return;
        }
        if m.ty == NLMSG_DONE {
            out.push_str("NLMSG_DONE");
            if let Some(e) = m.error.filter(|e| *e != 0) {
                out.push_str(" error ");
                out.push_str(&errno_text(e));
            }
        }
    }

    /// An interface's name by index, if the capture showed it (RTM_NEWLINK).
    pub fn link_name(&self, index: i32) -> Option<&'a str> {
        self.d.link_name(index)
    }

    /// The nftables sets the capture taught so far (nftables summaries).
    pub(crate) fn nft_sets(&self) -> &'a super::families::nftables::Sets {
        self.d.nft_sets()
    }

    /// The spec describing this message, if any.
    pub(crate) fn spec(&self) -> Option<&'a super::specs::Spec> {
        let i = match self.resolved().target {
            TargetIds::Genl { spec, .. } => spec?,
            TargetIds::Raw { spec, .. } => spec,
            _ => return None,
        };
        self.d.specs.spec_at(i)
    }

    /// The enum/flags definition `name` of this message's spec.
    pub fn spec_enum(&self, name: &str) -> Option<&'a super::specs::EnumDef> {
        let i = match self.resolved().target {
            TargetIds::Genl { spec, .. } => spec?,
            TargetIds::Raw { spec, .. } => spec,
            _ => return None,
        };
        self.d.specs.spec_at(i)?.enums.get(name)
    }

    /// Name of the spec describing this message, if any.
    pub fn spec_name(&self) -> Option<&str> {
        self.resolved().spec_name.as_deref()
    }

    /// The code hooks of the family whose spec describes the message (no-ops without one).
    pub(crate) fn hooks(&self) -> &'static dyn super::families::Family {
        self.resolved().hooks
    }

    /// Whether the message's tree is walked with a spec of field root `root`: its own spec's,
    /// or one its family's layout hook may pick. `None` for messages whose trees hold other
    /// walked fields (control messages with the request they answer, uevents, unknown kinds,
    /// generic netlink without a spec).
    pub(crate) fn walked_by(&self, root: &str) -> Option<bool> {
        if self.is_uevent() {
            return None;
        }
        let spec = match self.target() {
            Target::Raw { spec, .. }
            | Target::Genl {
                spec: Some(spec), ..
            } => spec,
            _ => return None,
        };
        Some(
            spec.field_root() == root
                || self.hooks().layout_specs().iter().any(|name| {
                    self.d
                        .specs
                        .get(name)
                        .is_some_and(|s| s.field_root() == root)
                }),
        )
    }

    /// Whether no spec of the message's protocol, nor one their layouts pick, has any of the
    /// (interned) field roots `roots` (uevents aside): then its tree holds no field under
    /// them, whatever its kind. Known without resolving the message, so without loading its
    /// family's spec (or guessing a generic netlink family: every such spec).
    pub(crate) fn protocol_walks_none_of(&self, roots: &[&'static str]) -> bool {
        !self.is_uevent() && !self.d.specs.may_walk(self.m.protocol, roots)
    }

    /// The identity of the kernel object the message describes (a link, an address, a
    /// route...), hashed; `None` if it describes none (see `Family::object_key`).
    pub fn object_key(&self) -> Option<u64> {
        super::families::object_key(self)
    }

    /// The message's bytes present in the frame, nlmsghdr included.
    pub fn message_bytes(&self) -> &'a [u8] {
        let start = self.m.offset.min(self.data.len());
        let end = (self.m.offset + self.m.present)
            .min(self.data.len())
            .max(start);
        self.data.get(start..end).unwrap_or_default()
    }

    /// The message bytes after the nlmsghdr (family header and attributes).
    pub fn payload_bytes(&self) -> &'a [u8] {
        let start = (self.m.offset + NLMSG_HDRLEN).min(self.data.len());
        let end = (self.m.offset + self.m.present)
            .min(self.data.len())
            .max(start);
        self.data.get(start..end).unwrap_or_default()
    }

    /// Data computed once per kind of message by `f` (the first caller's type wins; a hook
    /// uses one type per kind). `None` if an earlier caller stored another type.
    pub fn memo<T: 'static>(&self, f: impl FnOnce(&Self) -> T) -> Option<&T> {
        self.resolved()
            .memo
            .get_or_init(|| Box::new(f(self)))
            .downcast_ref::<T>()
    }

    /// Summary lines' columns of what the kind of message fixes (direction, family and type
    /// names), made once per kind by `make` (the summary writer's; the first is kept).
    pub fn summary_columns(&self, make: impl FnOnce(&Self) -> String) -> &str {
        self.resolved().summary_columns.get_or_init(|| make(self))
    }

    /// Append summary lines' flags column of this message, which `make` writes from its flags
    /// (named in the kind's context): kept per kind for the first few flags values met.
    pub fn summary_flags(&self, out: &mut String, make: impl FnOnce(&Self, &mut String)) {
        self.resolved()
            .summary_flags
            .push(out, self.m.flags, |out| make(self, out));
    }

    /// Whether [`MessageView::named`] has attributes to name (known per kind, without
    /// looking the set up again).
    pub fn has_named(&self) -> bool {
        self.resolved().top.is_some()
    }

    /// The top-level attributes of this message by spec name (for family summaries).
    pub fn named(&self) -> Option<super::families::Named<'a>> {
        let (start, set, spec) = self.attr_start()?;
        let end = (self.m.offset + self.m.present).min(self.data.len());
        let bytes = self.data.get(..end)?;
        Some(super::families::Named::new(
            spec,
            Some(set),
            bytes,
            start,
            self.m.endian,
        ))
    }

    /// Attribute numbers of the top-level attributes named `names`, for [`Self::top_attrs_by_type`].
    pub fn top_types<const N: usize>(&self, names: [&str; N]) -> [Option<u16>; N] {
        // Asked once per kind (family summaries keep the numbers in their memo): a scan of
        // the set is enough.
        let Some((_, set, _)) = self.attr_start() else {
            return [None; N];
        };
        names.map(|n| set.by_name(n).map(|a| a.value))
    }

    /// The payloads of the first top-level attributes of the given numbers, in one pass.
    pub fn top_attrs_by_type<const N: usize>(
        &self,
        types: &[Option<u16>; N],
    ) -> [Option<&'a [u8]>; N] {
        let mut found: [Option<&'a [u8]>; N] = [None; N];
        let Some(rel) = self.resolved().top else {
            return found;
        };
        let p = self.payload_bytes();
        let e = self.m.endian;
        let mut pos = rel;
        // Types the spec does not name are never found: no need to look for them.
        let mut left = types.iter().flatten().count();
        // Most attributes of a link are none of those asked for: one compare passes over
        // those numbered above them all.
        let top = types.iter().flatten().copied().max().unwrap_or(0);
        while left > 0 {
            let Some((l, t)) = e.u16_pair(p, pos) else {
                break;
            };
            let l = usize::from(l);
            if l < 4 || pos + l > p.len() {
                break;
            }
            let t = t & NLA_TYPE_MASK;
            if t <= top {
                for (slot, ty) in found.iter_mut().zip(types) {
                    if slot.is_none() && *ty == Some(t) {
                        *slot = p.get(pos + 4..pos + l);
                        left -= 1;
                    }
                }
            }
            pos += align4(l);
        }
        found
    }

    /// The first telling string attribute at the top level (`ifname`, `family-name`, ...).
    fn key_attr(&self) -> Option<String> {
        let (rel, keys) = self.resolved().keys.as_ref()?;
        let end = self.m.offset + self.m.present;
        let mut pos = self.m.offset + NLMSG_HDRLEN + rel;
        let e = self.m.endian;
        let mut best: Option<(u8, usize, usize)> = None;
        while pos + 4 <= end {
            let l = usize::from(e.u16(self.data, pos)?);
            let t = e.u16(self.data, pos + 2)? & NLA_TYPE_MASK;
            if l < 4 || pos + l > end {
                break;
            }
            if let Some((_, rank)) = keys.iter().find(|(kt, _)| *kt == t)
                && best.is_none_or(|(r, _, _)| *rank < r)
            {
                best = Some((*rank, pos + 4, pos + l));
            }
            pos += align4(l);
        }
        let (_, a, b) = best?;
        let v = self.data.get(a..b).unwrap_or_default();
        let v = v.split(|c| *c == 0).next().unwrap_or(&[]);
        Some(String::from_utf8_lossy(v).into_owned())
    }

    /// Where the top-level attributes start (relative to the payload) and which of their types
    /// are key strings with their rank: computed once per kind for [`MessageView::key_attr`].
    fn compute_keys(&self) -> Option<(usize, Vec<(u16, u8)>)> {
        const KEYS: &[&str] = &["ifname", "family-name", "name", "label", "kind"];
        let (start, set, _) = self.attr_start()?;
        let keys: Vec<(u16, u8)> = set
            .attrs
            .iter()
            .filter(|a| matches!(a.ty, super::specs::AttrType::String))
            .filter_map(|a| {
                let rank = KEYS.iter().position(|k| *k == a.name)?;
                Some((a.value, rank as u8))
            })
            .collect();
        if keys.is_empty() {
            return None;
        }
        Some((start - self.m.offset - NLMSG_HDRLEN, keys))
    }

    /// Where attributes start, and their set, for spec-described messages.
    fn attr_start(&self) -> Option<(usize, &'a AttrSet, &'a Spec)> {
        let p = self.m.offset + NLMSG_HDRLEN;
        match self.target() {
            Target::Genl {
                spec: Some(spec),
                op,
                ..
            } => {
                let (hdr, set, _) = tree::genl_layout(spec, op, self.m.endian);
                let hdr = hdr.map_or(0, |s| s.size);
                Some((p + 4 + align4(hdr), set?, spec))
            }
            Target::Raw { spec, op } => {
                let set = op.attribute_set.as_deref()?;
                let hdr = op
                    .fixed_header
                    .as_deref()
                    .or(spec.fixed_header.as_deref())
                    .and_then(|h| spec.structs.get(h))
                    .map_or(0, |s| s.size);
                Some((p + align4(hdr), spec.sets.get(set)?, spec))
            }
            _ => None,
        }
    }

    /// The attribute `t` reported missing by NLMSGERR_ATTR_MISS_TYPE: in the nest at field path
    /// `nest` (from NLMSGERR_ATTR_MISS_NEST) if given, else at the top level of the request.
    fn missing_attr(&self, nest: Option<&str>, t: usize) -> Option<&'a super::specs::Attr> {
        let t = u16::try_from(t).ok()?;
        let (_, top, spec) = self.attr_start()?;
        let Some(path) = nest else {
            return top.get(t);
        };
        // Follow the nest's field path (`<spec>.a.b`) through the nested sets.
        let mut set = top;
        for part in path.split('.').skip(1) {
            let a = set.by_name(part)?;
            set = spec.sets.get(a.nested.as_deref()?)?;
        }
        set.get(t)
    }

    /// NLMSGERR_ATTR_MSG of an error/done message, read without building the tree.
    pub fn extack_msg(&self) -> Option<String> {
        let m = &self.m;
        let tlv = self.extack_start()?;
        let end = m.offset + m.present;
        let mut pos = tlv;
        while pos + 4 <= end {
            let l = usize::from(m.endian.u16(self.data, pos)?);
            let t = m.endian.u16(self.data, pos + 2)? & NLA_TYPE_MASK;
            if l < 4 || pos + l > end {
                return None;
            }
            if t == 1 {
                let b = span(self.data, pos + 4, l.saturating_sub(4));
                let b = b.split(|c| *c == 0).next().unwrap_or(&[]);
                return Some(String::from_utf8_lossy(b).into_owned());
            }
            pos += align4(l);
        }
        None
    }

    /// Offset of the extended-ack TLVs of an ERROR/DONE message (NLM_F_ACK_TLVS set).
    fn extack_start(&self) -> Option<usize> {
        let m = &self.m;
        if m.flags & 0x200 == 0 {
            return None;
        }
        let p = m.offset + NLMSG_HDRLEN;
        match m.ty {
            NLMSG_DONE => Some(p + 4),
            NLMSG_ERROR => {
                if m.flags & 0x100 != 0 {
                    Some(p + 4 + NLMSG_HDRLEN)
                } else {
                    let l = m.endian.u32(self.data, p + 4)? as usize;
                    Some(p + 4 + align4(l.max(NLMSG_HDRLEN)))
                }
            }
            _ => None,
        }
    }
}

fn control_name(ty: u16) -> String {
    match ty {
        NLMSG_NOOP => "NLMSG_NOOP".into(),
        NLMSG_ERROR => "NLMSG_ERROR".into(),
        NLMSG_DONE => "NLMSG_DONE".into(),
        NLMSG_OVERRUN => "NLMSG_OVERRUN".into(),
        t => format!("reserved control type {t}"),
    }
}

/// Short family name for protocol `p`: a spec claiming an unnamed number wins.
pub fn family_name(d: &Dissector, p: u32) -> String {
    match protocol(p) {
        Some(info) => info.short.to_string(),
        None => d
            .specs
            .for_protonum(p)
            .next()
            .map_or_else(|| p.to_string(), |s| s.name.clone()),
    }
}
