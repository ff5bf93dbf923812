use super::*;

const S: i128 = 1_000_000_000;

struct Cap {
    c: Conversations,
    frame: u64,
}

impl Cap {
    fn new() -> Self {
        Cap {
            c: Conversations::new(),
            frame: 0,
        }
    }
    /// Push one message in its own frame at `ms` milliseconds; returns its ordinal.
    fn push(&mut self, ms: i128, dir: Direction, ty: u16, flags: u16, seq: u32, pid: u32) -> usize {
        self.push_with(ms, dir, ty, flags, seq, pid, None, Kind::Get)
    }
    #[allow(clippy::too_many_arguments)]
    fn push_with(
        &mut self,
        ms: i128,
        dir: Direction,
        ty: u16,
        flags: u16,
        seq: u32,
        pid: u32,
        error: Option<i32>,
        kind: Kind,
    ) -> usize {
        self.frame += 1;
        let ord = self.c.len();
        self.c.push(&Msg {
            at: MsgRef {
                frame: self.frame,
                msg: 0,
            },
            ts_ns: ms * 1_000_000,
            protocol: 0,
            ty,
            flags,
            seq,
            pid,
            direction: dir,
            error,
            kind,
            echo_type: None,
        });
        ord
    }
    fn req(&mut self, ms: i128, flags: u16, seq: u32, kind: Kind) -> usize {
        self.push_with(
            ms,
            Direction::ToKernel,
            18,
            NLM_F_REQUEST | flags,
            seq,
            0,
            None,
            kind,
        )
    }
    fn err(&mut self, ms: i128, seq: u32, pid: u32, e: i32) -> usize {
        self.push_with(
            ms,
            Direction::FromKernel,
            NLMSG_ERROR,
            0,
            seq,
            pid,
            Some(e),
            Kind::Other,
        )
    }
    fn at(&self, ord: usize) -> MsgRef {
        MsgRef {
            frame: ord as u64 + 1,
            msg: 0,
        }
    }
    fn answers(&self, ord: usize) -> Answers {
        self.c.linked(ord).and_then(|l| l.answers).unwrap()
    }
}

#[test]
fn dump_parts_and_done_link_to_their_request() {
    let mut c = Cap::new();
    let r = c.req(0, NLM_F_DUMP, 7, Kind::Get);
    let p1 = c.push(2, Direction::FromKernel, 16, NLM_F_MULTI, 7, 100);
    let p2 = c.push(3, Direction::FromKernel, 16, NLM_F_MULTI, 7, 100);
    let done = c.push_with(
        5,
        Direction::FromKernel,
        NLMSG_DONE,
        NLM_F_MULTI,
        7,
        100,
        Some(0),
        Kind::Other,
    );
    for (o, role) in [
        (p1, Role::DumpPart),
        (p2, Role::DumpPart),
        (done, Role::Done),
    ] {
        let l = c.c.linked(o).unwrap();
        assert_eq!(l.role, role);
        assert_eq!(l.request, Some(c.at(r)));
    }
    let a = c.answers(r);
    assert_eq!(a.first, Some(c.at(p1)));
    assert_eq!(a.last, Some(c.at(done)));
    assert_eq!(a.count, 3);
    assert!(a.complete && !a.unanswered && !a.unacked);
    assert!((a.latency.unwrap() - 0.005).abs() < 1e-9);
    assert_eq!(c.c.conversation(p2), vec![r, p1, p2, done]);
    assert_eq!(c.c.socket(r), vec![r, p1, p2, done]);
}

#[test]
fn ack_error_and_seq_reuse() {
    let mut c = Cap::new();
    let a = c.req(0, NLM_F_ACK, 1, Kind::Change);
    let ack = c.err(1, 1, 55, 0);
    // The same sequence number again on the same socket: the new request gets the answer.
    let b = c.req(10, NLM_F_ACK, 1, Kind::Change);
    let e = c.err(12, 1, 55, -22);
    assert_eq!(c.c.linked(ack).unwrap().role, Role::Ack);
    assert_eq!(c.c.linked(ack).unwrap().request, Some(c.at(a)));
    assert_eq!(c.c.linked(e).unwrap().role, Role::Error);
    assert_eq!(c.c.linked(e).unwrap().request, Some(c.at(b)));
    assert_eq!(c.answers(b).error, Some(-22));
    assert_eq!(c.answers(a).error, Some(0));
}

#[test]
fn two_sockets_with_the_same_seq() {
    let mut c = Cap::new();
    let a = c.req(0, NLM_F_DUMP, 1, Kind::Get);
    let b = c.req(1, NLM_F_DUMP, 1, Kind::Get);
    let pa = c.push(2, Direction::FromKernel, 16, NLM_F_MULTI, 1, 10);
    let pb = c.push(3, Direction::FromKernel, 16, NLM_F_MULTI, 1, 20);
    let pa2 = c.push(4, Direction::FromKernel, 16, NLM_F_MULTI, 1, 10);
    assert_eq!(c.c.linked(pa).unwrap().request, Some(c.at(a)));
    assert_eq!(c.c.linked(pb).unwrap().request, Some(c.at(b)));
    assert_eq!(c.c.linked(pa2).unwrap().request, Some(c.at(a)));
}

#[test]
fn caused_notifications_are_not_answers() {
    let mut c = Cap::new();
    let r = c.req(0, NLM_F_ACK | 0x400, 9, Kind::Change);
    let n = c.push(1, Direction::FromKernel, 16, 0, 9, 77);
    let ack = c.err(2, 9, 77, 0);
    let l = c.c.linked(n).unwrap();
    assert_eq!((l.role, l.request), (Role::Notification, Some(c.at(r))));
    let a = c.answers(r);
    assert_eq!((a.count, a.notifications), (1, 1));
    assert_eq!(a.first, Some(c.at(ack)));
    // A plain notification (port id 0) is nobody's.
    let plain = c.push(3, Direction::FromKernel, 20, 0, 0, 0);
    assert_eq!(c.c.linked(plain), None);
}

#[test]
fn get_reply_closes_without_ack() {
    let mut c = Cap::new();
    let r = c.req(0, 0, 3, Kind::Get);
    let rep = c.push(1, Direction::FromKernel, 16, 0, 3, 40);
    assert_eq!(c.c.linked(rep).unwrap().role, Role::Reply);
    assert!(c.answers(r).complete);
}

#[test]
fn unacked_only_when_the_capture_covers_it() {
    let mut c = Cap::new();
    let r = c.req(0, NLM_F_ACK, 5, Kind::Change);
    assert!(!c.answers(r).unacked, "the capture ends right after it");
    c.push(2 * 1000, Direction::FromKernel, 20, 0, 0, 0);
    let a = c.answers(r);
    assert!(a.unacked && a.unanswered);
    assert_eq!(a.latency, None);
    // A request whose socket received later messages is covered sooner.
    let mut c = Cap::new();
    let r = c.push_with(
        0,
        Direction::ToKernel,
        18,
        NLM_F_REQUEST | NLM_F_ACK,
        5,
        300,
        None,
        Kind::Change,
    );
    assert!(!c.answers(r).unacked);
    c.req(1, NLM_F_DUMP, 6, Kind::Get);
    c.push(2, Direction::FromKernel, 16, NLM_F_MULTI, 6, 300);
    assert!(c.answers(r).unacked);
}

#[test]
fn orphans_and_interrupted_dumps() {
    let mut c = Cap::new();
    let o = c.err(0, 44, 9, -1);
    let l = c.c.linked(o).unwrap();
    assert!(l.orphan && l.request.is_none());
    let r = c.req(1, NLM_F_DUMP, 2, Kind::Get);
    let p = c.push(
        2,
        Direction::FromKernel,
        16,
        NLM_F_MULTI | NLM_F_DUMP_INTR,
        2,
        9,
    );
    assert!(c.c.linked(p).unwrap().dump_intr);
    assert!(c.c.linked(r).unwrap().dump_intr);
    assert_eq!(c.c.ordinal(c.at(p)), Some(p));
    assert_eq!(c.c.ordinal(MsgRef { frame: 99, msg: 0 }), None);
    let _ = S;
}

/// Links handed over a window behind the newest message, forgetting what is behind them,
/// equal the whole capture's when conversations are shorter than the window; and what is
/// remembered stays bounded however long the stream.
#[test]
fn forgetting_keeps_links_within_the_window_and_memory_bounded() {
    const W: usize = 64;
    let (mut whole, mut win) = (Cap::new(), Cap::new());
    let mut got = Vec::new();
    let mut next = 0;
    // Dumps of 20 parts, acked changes, gets and changes nobody answers (which a later answer
    // under their sequence number would answer, however far: each has its own).
    for i in 0..20_000u32 {
        let ms = i128::from(i) * 100;
        let seq = i;
        for c in [&mut whole, &mut win] {
            let ord = c.c.len();
            match i % 4 {
                0 => {
                    c.req(ms, NLM_F_DUMP, seq, Kind::Get);
                    for k in 0..20 {
                        c.push(ms + k, Direction::FromKernel, 16, NLM_F_MULTI, seq, 100);
                    }
                    let done = Direction::FromKernel;
                    c.push_with(
                        ms + 30,
                        done,
                        NLMSG_DONE,
                        NLM_F_MULTI,
                        seq,
                        100,
                        Some(0),
                        Kind::Get,
                    );
                }
                1 => {
                    c.req(ms, NLM_F_ACK, seq, Kind::Change);
                    c.push(ms + 1, Direction::FromKernel, 16, 0, seq, 0);
                    c.err(ms + 2, seq, 100, 0);
                }
                2 => {
                    c.req(ms, 0, seq, Kind::Change);
                }
                _ => {
                    c.req(ms, 0, seq, Kind::Get);
                    c.push(ms + 1, Direction::FromKernel, 16, 0, seq, 100);
                }
            }
            assert!(c.c.len() > ord);
        }
        while next + W <= win.c.len() {
            got.push(win.c.linked(next));
            next += 1;
            win.c.forget_before(next, W);
        }
        let held = win.c.entries.len() + win.c.pinned.len() + win.c.requests.len();
        assert!(
            held < 4 * W,
            "{held} entries and requests held at message {i}"
        );
    }
    while next < win.c.len() {
        got.push(win.c.linked(next));
        next += 1;
    }
    assert_eq!(got.len(), whole.c.len());
    for (ord, l) in got.iter().enumerate() {
        assert_eq!(*l, whole.c.linked(ord), "message {ord}");
    }
    assert!(
        got.iter()
            .filter(|l| l.is_some_and(|l| l.request.is_some()))
            .count()
            > 100_000
    );
}

#[test]
fn requests_that_never_close_do_not_pile_up_under_their_sequence_number() {
    // A tool run in a loop: each run asks without NLM_F_ACK and gets nothing back, always
    // with sequence number 1, from a socket of its own.
    let mut c = Cap::new();
    for i in 0..1000 {
        c.push_with(
            i,
            Direction::ToKernel,
            16,
            NLM_F_REQUEST,
            1,
            0,
            None,
            Kind::Change,
        );
    }
    assert!(c.c.open[&(0, 1)].len() <= MAX_PER_KEY);
    // An answer goes to the oldest request still waiting among the recent ones.
    let ack = c.err(2001, 1, 77, 0);
    let to = c.c.linked(ack).unwrap().request.unwrap();
    assert_eq!(to, c.at(1000 - MAX_PER_KEY));
    assert!(c.c.open[&(0, 1)].len() <= MAX_PER_KEY);
}
