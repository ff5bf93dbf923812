use std::time::Instant;

use super::rtnl::{create_error, dellink_request, newlink_request, up_request};
use super::*;
use crate::capture::cooked_header;
use crate::model::Endian;

fn sll(pkttype: u8, hatype: u16, addr: &[u8], protocol: u16) -> libc::sockaddr_ll {
    // SAFETY: plain data.
    let mut s: libc::sockaddr_ll = unsafe { zeroed() };
    s.sll_family = libc::AF_PACKET as u16;
    s.sll_protocol = protocol.to_be();
    s.sll_pkttype = pkttype;
    s.sll_hatype = hatype;
    s.sll_halen = addr.len() as u8;
    for (d, a) in s.sll_addr.iter_mut().zip(addr) {
        *d = *a;
    }
    s
}

#[test]
fn cooked_header_of_an_nlmon_frame_is_what_tcpdump_writes() {
    // What the kernel reports for an nlmon frame: PACKET_OUTGOING, ARPHRD_NETLINK, no address,
    // protocol = the netlink family (NETLINK_GENERIC here) in network byte order.
    let h = cooked_header_from_sll(&sll(4, 824, &[], 16));
    assert_eq!(
        h,
        [0, 4, 0x03, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16],
        "bytes of the shared tcpdump captures"
    );
    assert_eq!(h, cooked_header(4, 16));
    for fam in [0u16, 4, 6, 12, 16] {
        assert_eq!(
            cooked_header_from_sll(&sll(4, 824, &[], fam)),
            cooked_header(4, fam)
        );
    }
}

#[test]
fn cooked_header_maps_packet_types_and_addresses_like_libpcap() {
    // PACKET_HOST..PACKET_OUTGOING keep their numbers; PACKET_LOOPBACK/USER/KERNEL become -1.
    for p in 0..=4u8 {
        assert_eq!(cooked_header_from_sll(&sll(p, 824, &[], 0))[0..2], [0, p]);
    }
    for p in [5u8, 6, 7] {
        assert_eq!(
            cooked_header_from_sll(&sll(p, 824, &[], 0))[0..2],
            [0xff, 0xff]
        );
    }
    // An Ethernet-style address: length 6, six bytes, two zero bytes after.
    let h = cooked_header_from_sll(&sll(0, 1, &[1, 2, 3, 4, 5, 6], 0x0800));
    assert_eq!(h, [0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0, 0x08, 0x00]);
    // A claimed length above 8 keeps 8 bytes (the field's size) and the claimed length.
    let mut s = sll(0, 1, &[9; 8], 0x86dd);
    s.sll_halen = 20;
    let h = cooked_header_from_sll(&s);
    assert_eq!(&h[4..6], &[0, 20]);
    assert_eq!(&h[6..14], &[9; 8]);
}

fn ne16(v: u16) -> [u8; 2] {
    v.to_ne_bytes()
}
fn ne32(v: u32) -> [u8; 4] {
    v.to_ne_bytes()
}

#[test]
fn newlink_request_is_laid_out_like_ip_link_add_type_nlmon() {
    // iproute2 sends IFLA_INFO_KIND without its NUL; netlink-packet-route adds one, which the
    // kernel's NLA_STRING policy accepts either way. Everything else is byte for byte the same.
    let got = newlink_request(7, "nlmon0");
    let mut want = Vec::new();
    want.extend(ne32(60)); // nlmsg_len
    want.extend(ne16(16)); // RTM_NEWLINK
    want.extend(ne16(0x0605)); // NLM_F_REQUEST|NLM_F_ACK|NLM_F_EXCL|NLM_F_CREATE
    want.extend(ne32(7)); // seq
    want.extend(ne32(0)); // pid
    want.extend([0, 0]); // ifi_family AF_UNSPEC, pad
    want.extend(ne16(0)); // ifi_type
    want.extend(ne32(0)); // ifi_index
    want.extend(ne32(0)); // ifi_flags
    want.extend(ne32(0)); // ifi_change
    want.extend(ne16(11)); // IFLA_IFNAME, "nlmon0\0" + 1 pad
    want.extend(ne16(3));
    want.extend(b"nlmon0\0\0");
    want.extend(ne16(16)); // IFLA_LINKINFO
    want.extend(ne16(18));
    want.extend(ne16(10)); //   IFLA_INFO_KIND "nlmon\0" + 2 pad
    want.extend(ne16(1));
    want.extend(b"nlmon\0\0\0");
    assert_eq!(got, want);
}

#[test]
fn up_and_dellink_requests() {
    let up = up_request(9, 42);
    assert_eq!(up.len(), 32);
    assert_eq!(&up[0..4], &ne32(32));
    assert_eq!(&up[4..6], &ne16(16)); // RTM_NEWLINK
    assert_eq!(&up[6..8], &ne16(0x0005)); // REQUEST|ACK: no CREATE, it must exist
    assert_eq!(&up[8..12], &ne32(9));
    assert_eq!(&up[20..24], &42u32.to_ne_bytes()); // ifi_index
    assert_eq!(&up[24..28], &ne32(1)); // ifi_flags IFF_UP
    assert_eq!(&up[28..32], &ne32(1)); // ifi_change IFF_UP

    let del = dellink_request(10, 42);
    assert_eq!(del.len(), 32);
    assert_eq!(&del[4..6], &ne16(17)); // RTM_DELLINK
    assert_eq!(&del[6..8], &ne16(0x0005));
    assert_eq!(&del[20..24], &42u32.to_ne_bytes());
    assert_eq!(&del[24..32], &[0; 8]);
}

/// The requests read back with nlscope's own dissector (embedded rt-link spec).
#[test]
fn requests_decode_as_the_rtnetlink_messages_they_are() {
    use crate::dissect::Dissector;
    use crate::dissect::specs::SpecRegistry;
    let mut d = Dissector::new(SpecRegistry::with_embedded());
    let cases: [(Vec<u8>, &str, &[&str]); 3] = [
        (
            newlink_request(7, "nlmon0"),
            "RTM_NEWLINK",
            &[
                "rt-link.ifinfomsg.ifi-index=0",
                "rt-link.ifinfomsg.ifi-flags=0x0",
                "rt-link.ifname=\"nlmon0\"",
                "rt-link.linkinfo.kind=\"nlmon\"",
            ],
        ),
        (
            up_request(8, 42),
            "RTM_NEWLINK",
            &[
                "rt-link.ifinfomsg.ifi-index=42",
                "rt-link.ifinfomsg.ifi-flags=IFF_UP (0x1)",
                "rt-link.ifinfomsg.ifi-change=IFF_UP (0x1)",
            ],
        ),
        (
            dellink_request(9, 42),
            "RTM_DELLINK",
            &[
                "rt-link.ifinfomsg.ifi-index=42",
                "rt-link.ifinfomsg.ifi-flags=0x0",
            ],
        ),
    ];
    for (req, ty, want) in cases {
        let mut frame = cooked_header(4, 0).to_vec();
        frame.extend(&req);
        let fi = d.index_frame(&frame, crate::capture::CAPTURE_LINKTYPE, Endian::native());
        assert_eq!(fi.msgs.len(), 1);
        let v = d.view(&frame, &fi.msgs[0]);
        assert_eq!(v.type_name(), ty);
        let mut fields = Vec::new();
        for n in v.tree() {
            n.walk(&mut |x| {
                assert!(!x.raw, "{ty}: undecoded bytes at {}", x.field);
                fields.push(format!("{}={}", x.field, x.display_text()));
            });
        }
        for w in want {
            assert!(fields.iter().any(|f| f == w), "{ty}: no {w} in {fields:?}");
        }
    }
}

#[test]
fn create_errors_explain_the_cause() {
    let e = create_error("nlmon0", libc::EOPNOTSUPP, Some("Unknown device type"));
    let m = e.to_string();
    assert!(m.contains("EOPNOTSUPP"), "{m}");
    assert!(m.contains("Unknown device type"), "{m}");
    assert!(m.contains("lacks nlmon"), "{m}");
    assert!(m.contains("CONFIG_NLMON"), "{m}");
    assert!(m.contains("modprobe nlmon"), "{m}");
    assert_eq!(e.kind(), io::ErrorKind::Unsupported);

    let m = create_error("nlmon0", libc::EPERM, None).to_string();
    assert!(m.contains("EPERM") && m.contains("CAP_NET_ADMIN"), "{m}");
    assert!(m.contains(SETCAP_HINT), "{m}");

    let m = create_error("nlmon0", libc::EEXIST, None).to_string();
    assert!(m.contains("EEXIST") && m.contains("-i nlmon0"), "{m}");

    let m = privilege_error("nlmon0", false).to_string();
    assert!(m.contains("CAP_NET_RAW") && m.contains(SETCAP_HINT), "{m}");
    let m = privilege_error("nlmon0", true).to_string();
    assert!(m.contains("CAP_NET_ADMIN"), "{m}");

    assert_eq!(
        describe_errno(libc::EOPNOTSUPP),
        "EOPNOTSUPP (Operation not supported)"
    );
    assert!(describe_errno(4000).starts_with("errno 4000"));
}

#[test]
fn bad_interface_names_are_refused_before_any_syscall() {
    for name in ["", "a/b", "x y", "averyveryverylongname", "..", "a:b"] {
        let e = open(&NlmonOptions {
            iface: name.into(),
            create: true,
        })
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(e.contains("not a valid interface name"), "{name:?}: {e}");
    }
}

fn is_privilege(m: &str) -> bool {
    m.contains("CAP_NET_RAW") || m.contains("CAP_NET_ADMIN")
}

/// On a kernel without nlmon (like the CI host's) --create-nlmon fails cleanly and says why;
/// where the kernel has it, the interface comes and goes with the source.
#[test]
fn create_nlmon_on_this_kernel_fails_cleanly_or_works() {
    let name = format!("nlst{}", std::process::id() % 100_000);
    match open(&NlmonOptions {
        iface: name.clone(),
        create: true,
    }) {
        Ok(src) => {
            assert_eq!(src.interfaces(), vec![name.clone()]);
            assert!(ifindex_of(&name).is_ok());
            drop(src);
            assert!(ifindex_of(&name).is_err(), "{name} left behind");
        }
        Err(e) => {
            let m = e.to_string();
            eprintln!("--create-nlmon here: {m}");
            assert!(
                m.contains("CONFIG_NLMON") || is_privilege(&m),
                "unexpected error: {m}"
            );
            assert!(ifindex_of(&name).is_err(), "{name} left behind");
        }
    }
}

#[test]
fn opening_a_missing_or_non_nlmon_interface_says_so() {
    let m = open(&NlmonOptions {
        iface: "nlscope-none".into(),
        create: false,
    })
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(
        m.contains("no interface 'nlscope-none'") || is_privilege(&m),
        "{m}"
    );
    let m = open(&NlmonOptions {
        iface: "lo".into(),
        create: false,
    })
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert!(
        m.contains("lo is not an nlmon interface (link type ARPHRD 772") || is_privilege(&m),
        "{m}"
    );
}

/// The receive path (recvmsg, cooked header, MSG_TRUNC length, timestamps, counters) on the
/// loopback interface, since this kernel has no nlmon.
#[test]
fn receive_path_on_loopback() {
    let fd = match packet_socket("lo", false) {
        Ok(fd) => fd,
        Err(e) => {
            eprintln!("skipped: {e}");
            return;
        }
    };
    let Ok(lo) = ifindex_of("lo") else {
        eprintln!("skipped: no lo");
        return;
    };
    let mut src =
        NlmonSource::bind_socket(fd, "lo", lo, HostNames::default(), None).expect("bind to lo");
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    let marker = format!("nlscope-nlmon-test-{}", std::process::id());
    let before = realtime_ns();
    udp.send_to(marker.as_bytes(), udp.local_addr().expect("addr"))
        .expect("send");
    let deadline = Instant::now() + Duration::from_secs(3);
    let mut out = Vec::new();
    let hit = loop {
        src.poll(Duration::from_millis(100), 3, &mut out)
            .expect("poll");
        if let Some(c) = out
            .iter()
            .find(|c| c.data.windows(marker.len()).any(|w| w == marker.as_bytes()))
        {
            break c.clone();
        }
        assert!(Instant::now() < deadline, "our datagram never showed up");
    };
    assert_eq!(hit.interface, 3);
    // ARPHRD_LOOPBACK, 6-byte (zero) address, IPv4; then the IP header.
    assert_eq!(&hit.data[2..4], &772u16.to_be_bytes());
    assert_eq!(&hit.data[4..6], &[0, 6]);
    assert_eq!(&hit.data[14..16], &[0x08, 0x00]);
    assert_eq!(hit.data[16] >> 4, 4);
    assert!(matches!(hit.data[1], 0 | 4), "pkttype {}", hit.data[1]);
    assert_eq!(hit.orig_len as usize, hit.data.len());
    assert_eq!(hit.data.len(), 16 + 20 + 8 + marker.len());
    assert!(hit.ts_ns >= before - 1_000_000_000 && hit.ts_ns <= realtime_ns());
    assert!(src.stats().received >= 1);
    assert_eq!(src.stats().kernel_drops, 0);
}

/// PACKET_STATISTICS drops (tiny receive buffer, a burst nobody reads) are counted and marked on
/// the next frame that gets through.
#[test]
fn kernel_drops_are_counted_and_marked_on_loopback() {
    let Ok(fd) = packet_socket("lo", false) else {
        eprintln!("skipped: no CAP_NET_RAW");
        return;
    };
    let Ok(lo) = ifindex_of("lo") else {
        eprintln!("skipped: no lo");
        return;
    };
    let mut src =
        NlmonSource::bind_socket(fd, "lo", lo, HostNames::default(), None).expect("bind to lo");
    // The kernel's minimum receive buffer holds a couple of frames.
    setsockopt_int(src.fd.as_raw_fd(), libc::SOL_SOCKET, libc::SO_RCVBUF, 1).expect("rcvbuf");
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    let to = udp.local_addr().expect("addr");
    for _ in 0..200 {
        udp.send_to(&[0x55; 512], to).expect("send");
    }
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(3);
    while out.is_empty() && Instant::now() < deadline {
        src.poll(Duration::from_millis(100), 0, &mut out)
            .expect("poll");
    }
    let drops = src.stats().kernel_drops;
    assert!(
        drops > 0,
        "no drops with a tiny buffer ({} frames)",
        out.len()
    );
    let marked: u64 = out.iter().map(|c| c.drops_before).sum();
    assert_eq!(out.first().map(|c| c.drops_before), Some(drops));
    assert_eq!(marked, drops);
}
