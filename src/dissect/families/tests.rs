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
