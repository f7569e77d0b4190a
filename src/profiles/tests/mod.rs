//! Table tests of the shipped presets, hand-computed.
