//! Small id newtypes, so an incident id can never be passed where a person id is expected.
//! Each serialises as the bare number (the stored workflow JSON keeps its shape).

use std::fmt;

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(
            Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id!(
    /// An incident (the database row id, not the organisation's running number).
    IncidentId
);
id!(
    /// A person in an organisation's directory.
    PersonId
);
id!(
    /// An organisation (an administration).
    OrgId
);
id!(
    /// A department of an organisation.
    DepartmentId
);

impl PersonId {
    /// Otklik itself (intake, the delivery worker) in audit records.
    pub const SYSTEM: PersonId = PersonId(0);
}
id!(
    /// An answer template of an organisation's library.
    TemplateId
);
