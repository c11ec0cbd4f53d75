//! What every messenger adapter shares and no single messenger owns: the pace of sending
//! (`pacing`), the text form of a button's action (`payload`), and how a view too long for a
//! message is shortened (`fit`).

pub mod fit;
pub mod pacing;
pub mod payload;
