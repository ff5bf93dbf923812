//! Registry tests.

use super::*;

#[test]
fn registry_is_sorted_and_finds_every_family() {
    assert!(
        FAMILIES.windows(2).all(|w| w[0].0 < w[1].0),
        "FAMILIES must be sorted by name"
    );
    let specs = SpecRegistry::with_embedded();
    for (name, f) in FAMILIES {
        assert!(std::ptr::addr_eq(family(name), *f), "{name} not found");
        assert!(specs.get(name).is_some(), "{name} has no embedded spec");
    }
    assert!(std::ptr::addr_eq(
        family("no-such-family"),
        &Plain as &dyn Family
    ));
}

/// A filter's catalog asks only the families whose root the filter names for their fields:
/// each family places its fields below its own root.
#[test]
fn families_place_fields_below_their_root() {
    let specs = SpecRegistry::with_embedded();
    let mut placed = 0;
    for (name, f) in FAMILIES {
        let root = Spec::root_of(name);
        for path in f.fields(&specs) {
            let under = path.strip_prefix(root.as_str());
            assert!(
                under.is_some_and(|r| r.is_empty() || r.starts_with('.')),
                "{name}: {path} is not below {root}"
            );
            placed += 1;
        }
    }
    assert!(placed > 100, "{placed}");
    let only_link = extra_fields_of(&specs, &|r| r == "rt-link");
    assert!(only_link.iter().any(|p| p.starts_with("rt-link.protinfo")));
    assert!(!only_link.iter().any(|p| p.starts_with("sock-diag")));
    let all = extra_fields_of(&specs, &|_| true);
    assert!(all.iter().any(|p| p.starts_with("sock-diag.info")));
}
