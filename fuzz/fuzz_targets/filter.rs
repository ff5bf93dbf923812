//! The display filter: any text is compiled against the embedded specs' field catalog and,
//! when it compiles, evaluated against the messages of a few fixed frames (rtnetlink,
//! generic netlink with its family learned, nftables, conntrack) with their correlation,
//! changes and a process. The messages' fields (and trees) are built once per process.
#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;
use nlscope::capture::trace::ProcInfo;
use nlscope::conv::changes::Objects;
use nlscope::conv::{Conversations, Msg as ConvMsg, MsgRef};
use nlscope::dissect::fields::MsgFields;
use nlscope::dissect::{Dissector, FrameIndex, MessageView};
use nlscope::filter::{FieldCatalog, Filter};
use nlscope_fuzz::{catalog, parse_frames, specs};

thread_local! {
    static FIELDS: RefCell<Vec<MsgFields<'static>>> = RefCell::new(fields());
}

/// The fixed messages' fields. Everything they borrow lives as long as the process.
fn fields() -> Vec<MsgFields<'static>> {
    let (endian, frames) = parse_frames(include_bytes!("filter_messages.bin"));
    let dis: &'static mut Dissector = Box::leak(Box::new(Dissector::new(specs().clone())));
    let proc_info: &'static Option<ProcInfo> = Box::leak(Box::new(ProcInfo::parse(
        "proc: pid=42 tid=43 exe=/usr/sbin/ip comm=ip",
    )));
    let mut indexed = Vec::new();
    for f in frames {
        let fi = dis.index_frame(&f.data, f.linktype, endian);
        indexed.push((f.data, fi));
    }
    let dis: &'static Dissector = dis;
    let indexed: &'static [(Vec<u8>, FrameIndex)] = Box::leak(indexed.into_boxed_slice());
    let mut conv = Conversations::new();
    let mut views: Vec<(u64, usize, MessageView<'static>)> = Vec::new();
    for (i, (data, fi)) in indexed.iter().enumerate() {
        for (mi, m) in fi.msgs.iter().enumerate() {
            let v = dis.view(data, m);
            let at = MsgRef {
                frame: i as u64 + 1,
                msg: mi as u32,
            };
            conv.push(&ConvMsg::of(&v, at, i as i128 * 1000));
            views.push((i as u64 + 1, data.len(), v));
        }
    }
    let views: &'static [(u64, usize, MessageView<'static>)] = Box::leak(views.into_boxed_slice());
    let mut objects = Objects::default();
    let mut out = Vec::new();
    for (ord, (no, len, v)) in views.iter().enumerate() {
        let mut f = MsgFields::new(v, *no, *no as i128 * 1000, *len)
            .relative_to(0)
            .with_process(proc_info.as_ref())
            .with_linked(conv.linked(ord));
        if let Some(key) = v.object_key() {
            let at = MsgRef {
                frame: *no,
                msg: ord as u32,
            };
            f.changes = objects.update(dis, key, at, v);
        }
        let _ = f.tree();
        out.push(f);
    }
    out
}

/// The catalog, answering typo suggestions (a scan of its ~40,000 names, slow under coverage
/// instrumentation) only when asked to: for one input length in 16, so most of the time goes
/// to the language itself.
struct Cat(bool);

impl FieldCatalog for Cat {
    fn is_known(&self, field: &str) -> bool {
        catalog().is_known(field)
    }
    fn suggest(&self, field: &str) -> Option<String> {
        if self.0 {
            catalog().suggest(field)
        } else {
            None
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(filter) = Filter::compile(text, &Cat(data.len().is_multiple_of(16))) else {
        return;
    };
    let _ = filter.fields().count();
    let _ = (
        filter.needs_tree(),
        filter.needs_changes(),
        filter.needs_conversations(),
        filter.needs_process(),
    );
    FIELDS.with(|fields| {
        for f in fields.borrow().iter() {
            let _ = filter.matches(f);
        }
    });
});
