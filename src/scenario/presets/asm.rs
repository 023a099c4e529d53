//! A small assembler for the presets' programs: operations are written in order with named
//! labels (`jump("poll")`, `label("poll")`) instead of numeric jump targets, and the Python
//! source is searched by snippet for each operation's line. Builds data only; runs nothing.

use super::super::{Count, Op, OpKind, PrintArgs};

/// Python source with a lookup from a snippet to its line number.
pub(crate) struct Src(pub Vec<String>);

impl Src {
    pub fn new(text: &str) -> Src {
        Src(text
            .trim_matches('\n')
            .lines()
            .map(str::to_string)
            .collect())
    }

    /// 1-based line of the first line containing `snippet`.
    pub fn line(&self, snippet: &str) -> u32 {
        self.line_after(snippet, 0)
    }

    /// 1-based line of the first line after `after` containing `snippet`.
    pub fn line_after(&self, snippet: &str, after: u32) -> u32 {
        self.0
            .iter()
            .enumerate()
            .skip(after as usize)
            .find(|(_, l)| l.contains(snippet))
            .map(|(i, _)| i as u32 + 1)
            .unwrap_or_else(|| panic!("preset source has no line `{snippet}`"))
    }
}

/// A thread's program being written. Targets are label names, resolved by [`Program::finish`];
/// a preset that names a label it never places fails its tests at once (presets are built by
/// every test run), not a user's run.
#[derive(Default)]
pub(crate) struct Program {
    ops: Vec<Op>,
    labels: Vec<(String, usize)>,
    /// (operation, label it targets)
    uses: Vec<(usize, String)>,
}

impl Program {
    pub fn new() -> Program {
        Program::default()
    }

    /// Names the place of the next operation.
    pub fn label(&mut self, name: impl Into<String>) -> &mut Self {
        let name = name.into();
        assert!(
            self.labels.iter().all(|(l, _)| *l != name),
            "label `{name}` placed twice"
        );
        self.labels.push((name, self.ops.len()));
        self
    }

    /// An operation without a target.
    pub fn op(&mut self, line: u32, kind: OpKind) -> &mut Self {
        self.ops.push(Op { line, kind });
        self
    }

    /// `print(...)` of text `text` without arguments.
    pub fn print(&mut self, line: u32, text: u32) -> &mut Self {
        self.op(
            line,
            OpKind::Print {
                text,
                args: PrintArgs::default(),
            },
        )
    }

    /// Goes on at `to`.
    pub fn jump(&mut self, line: u32, to: &str) -> &mut Self {
        self.targeting(line, OpKind::Jump { target: 0 }, to)
    }

    /// Inside `for item in queue`: on a SENTINEL, goes on at `to`.
    pub fn if_sentinel(&mut self, line: u32, to: &str) -> &mut Self {
        self.targeting(line, OpKind::IfSentinel { target: 0 }, to)
    }

    /// The polling deque's `popleft()`; on `IndexError` goes on at `on_empty`.
    pub fn poll_get(&mut self, line: u32, queue: usize, on_empty: &str) -> &mut Self {
        self.targeting(line, OpKind::PollGet { queue, on_empty: 0 }, on_empty)
    }

    /// `for _ in range(times):`, leaving for `end` once done; the body follows and closes with
    /// [`Program::loop_back`].
    pub fn repeat(&mut self, line: u32, times: Count, end: &str) -> &mut Self {
        self.targeting(line, OpKind::Repeat { times, end: 0 }, end)
    }

    /// The end of a `for _ in range(...)` body: back to `to` while iterations remain.
    pub fn loop_back(&mut self, line: u32, to: &str) -> &mut Self {
        self.targeting(line, OpKind::Loop { target: 0 }, to)
    }

    fn targeting(&mut self, line: u32, kind: OpKind, to: &str) -> &mut Self {
        self.uses.push((self.ops.len(), to.to_string()));
        self.op(line, kind)
    }

    /// The operations with every label resolved to an index.
    pub fn finish(&mut self) -> Vec<Op> {
        let mut ops = std::mem::take(&mut self.ops);
        for (at, name) in self.uses.drain(..) {
            let to = self
                .labels
                .iter()
                .find(|(l, _)| *l == name)
                .map(|&(_, i)| i)
                .unwrap_or_else(|| panic!("no label `{name}` in this program"));
            match &mut ops[at].kind {
                OpKind::Jump { target }
                | OpKind::IfSentinel { target }
                | OpKind::Loop { target } => *target = to,
                OpKind::PollGet { on_empty, .. } => *on_empty = to,
                OpKind::Repeat { end, .. } => *end = to,
                _ => unreachable!("only targeting operations are recorded"),
            }
        }
        self.labels.clear();
        ops
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_resolve_forward_and_backward() {
        let mut p = Program::new();
        p.repeat(1, Count::Const(3), "done")
            .label("body")
            .op(2, OpKind::Work { stage: 0 })
            .loop_back(1, "body")
            .label("done")
            .op(0, OpKind::End);
        let ops = p.finish();
        assert_eq!(
            ops[0].kind,
            OpKind::Repeat {
                times: Count::Const(3),
                end: 3
            }
        );
        assert_eq!(ops[2].kind, OpKind::Loop { target: 1 });
    }

    #[test]
    #[should_panic(expected = "no label `nowhere`")]
    fn a_label_never_placed_is_caught_when_the_preset_is_built() {
        Program::new().jump(1, "nowhere").finish();
    }
}
