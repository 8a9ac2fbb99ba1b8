//! Enums an `init` key chooses by name (`"otlp"`, `"gzip"`, …): each
//! enum's variants and names in one list beside the enum, so the key table
//! (`config::schema`), Project Settings' menus and docs/configuration.md
//! all read them from there, in the enum's order.

/// `named!(Compression { None "none", Gzip "gzip" })` gives
/// `Compression::ALL`, `Compression::NAMES`, `Compression::name` and
/// `Compression::from_name`.
macro_rules! named {
    ($ty:ident { $($variant:ident $name:literal),+ $(,)? }) => {
        impl $ty {
            /// Every variant, in the order of `NAMES`.
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];
            /// What `init` and Project Settings call each variant.
            pub const NAMES: &'static [&'static str] = &[$($name),+];

            pub fn name(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }

            /// The variant called `name`, if one is.
            pub fn from_name(name: &str) -> Option<$ty> {
                Self::NAMES.iter().position(|n| *n == name).map(|i| Self::ALL[i])
            }
        }
    };
}

pub(crate) use named;
