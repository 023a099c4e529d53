//! An item in flight, as both engines carry it through queues and threads: its id (or
//! `ClosableQueue.SENTINEL`), when it was made, and when it entered the place it is in.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub id: u64,
    /// When `object()` made it (virtual microseconds).
    pub born: u64,
    /// When it entered the queue it is in (or last finished a stage function), for the
    /// stage's time in system.
    pub entered: u64,
}

impl crate::ring::Blank for Token {
    const BLANK: Token = Token {
        id: 0,
        born: 0,
        entered: 0,
    };
}

impl Token {
    pub const SENTINEL: u64 = u64::MAX;

    pub fn sentinel(now: u64) -> Token {
        Token {
            id: Token::SENTINEL,
            born: now,
            entered: now,
        }
    }

    #[inline]
    pub fn is_sentinel(&self) -> bool {
        self.id == Token::SENTINEL
    }
}
