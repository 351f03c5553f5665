//! Return values: every core function answers `Result<T, Rv>` where the
//! error is a CKR_* code (PKCS#11 3.1 section 5.1.1-5.1.x).
use crate::CK_ULONG;

/// A CKR_* return value.
pub type Rv = CK_ULONG;

/// The result type of every core entry point.
pub type CkResult<T> = Result<T, Rv>;
