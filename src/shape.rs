//! The pipeline's shape, read from a scenario: groups of threads (main, a stage's workers, the
//! consumers of a queue), the queues and which one is the done end, who reads or writes which
//! queue and in which column each sits, and which stages and queues can change while running
//! (and why not). Pure: it must not run anything nor know about drawing beyond columns.

use crate::scenario::{MemoryBudget, OpKind, QueueKind, Scenario};
use serde::Serialize;

/// The shape the page lays out and labels, in camelCase.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shape {
    pub groups: Vec<Group>,
    /// The group of each scenario thread.
    pub thread_group: Vec<usize>,
    /// The group of each stage: a worker added while running joins it.
    pub stage_group: Vec<usize>,
    pub queues: Vec<QueueShape>,
    pub edges: Vec<Edge>,
    /// Column of each group and of each queue, left to right.
    pub group_rank: Vec<usize>,
    pub queue_rank: Vec<usize>,
    pub stages: Vec<StageShape>,
    /// The queue drawn as the done end, when there is one (see [`QueueShape::done`]).
    pub done_queue: Option<usize>,
    /// Items the program makes in all.
    pub items: u64,
    /// The scenario's memory budget, as the scenario spells it (`item_bytes`, `budget_bytes`).
    pub memory: Option<MemoryBudget>,
    /// Whether that budget counts the items the done end keeps (`Scenario::budget_counts_done`):
    /// then the done end has a share of the budget to show.
    pub memory_counts_done: bool,
}

/// What a group of threads is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum GroupKind {
    Main,
    /// A stage's workers.
    Stage,
    /// Threads that read a queue and belong to no stage (P2's consumer).
    Consumer,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Group {
    pub id: usize,
    pub kind: GroupKind,
    /// For a stage: its index and name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// For consumers: the queue they read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<usize>,
    pub threads: Vec<usize>,
    /// Queues its threads take from, and put on.
    pub reads: Vec<usize>,
    pub writes: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueShape {
    pub index: usize,
    pub name: String,
    pub kind: QueueKind,
    /// The done end: the scenario's done queue when nothing takes items out of it and it has
    /// no bound (F4's out_queue is read by main and bounded: it stays a queue, full and blocking).
    pub done: bool,
    /// `maxsize` can change while running: a `queue.Queue` that is not the done end.
    pub resizable: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum EdgeKind {
    /// A group puts on a queue.
    Write,
    /// A group takes from a queue.
    Read,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Edge {
    /// Nodes: groups first (by id), then queues (`groups.len() + queue`).
    pub from: usize,
    pub to: usize,
    pub kind: EdgeKind,
    pub group: usize,
    pub queue: usize,
    /// A read that only busy-waits on the queue's length (P1's main on done_queue).
    pub busy_wait: bool,
    /// The edge goes right to left (it closes a cycle).
    pub back: bool,
}

/// Why a stage's worker count cannot change while running, whatever the run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum FixedWorkers {
    /// No thread works for the stage, so there is none to copy.
    NoWorkers,
    /// The program puts a fixed number of SENTINELs on the stage's queue: another worker would
    /// never end, one fewer would leave a SENTINEL behind.
    FixedSentinels,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StageShape {
    pub stage: usize,
    pub name: String,
    pub group: usize,
    /// Workers the scenario gives it.
    pub workers: usize,
    /// `None` when `set_workers` may change it while the run goes on.
    pub fixed: Option<FixedWorkers>,
}

/// The shape of `scenario`.
pub fn shape(scenario: &Scenario) -> Shape {
    let threads = &scenario.threads;
    let queues = &scenario.queues;
    let stages = &scenario.stages;
    let touched = |t: usize, read: bool| {
        let mut found = Vec::new();
        for op in &threads[t].program {
            let q = match op.kind {
                OpKind::Get { queue }
                | OpKind::PollGet { queue, .. }
                | OpKind::BusyWait { queue, .. }
                    if read =>
                {
                    queue
                }
                // close() puts a SENTINEL too, but an arrow from main to every queue it closes
                // would cross the whole pipeline: SENTINEL tokens show those puts as they happen.
                OpKind::Put { queue, .. } if !read => queue,
                _ => continue,
            };
            add_unique(&mut found, [q]);
        }
        found
    };
    let takes = |t: usize, q: usize| {
        threads[t].program.iter().any(|op| {
            matches!(op.kind, OpKind::Get { queue } | OpKind::PollGet { queue, .. } if queue == q)
        })
    };
    let busy_waited = |q: usize| {
        threads.iter().any(|t| {
            t.program
                .iter()
                .any(|op| matches!(op.kind, OpKind::BusyWait { queue, .. } if queue == q))
        })
    };
    let taken = |q: usize| (0..threads.len()).any(|t| takes(t, q));
    let has_members = |s: usize| threads.iter().any(|t| t.stage == Some(s));

    let mut groups: Vec<Group> = Vec::new();
    let mut keys: Vec<Key> = Vec::new();
    let mut group_for = |groups: &mut Vec<Group>, key: Key, make: Group| -> usize {
        if let Some(i) = keys.iter().position(|k| *k == key) {
            return i;
        }
        keys.push(key);
        groups.push(Group {
            id: groups.len(),
            ..make
        });
        groups.len() - 1
    };
    let stage_group = |s: usize| Group {
        id: 0,
        kind: GroupKind::Stage,
        stage: Some(s),
        name: Some(stages[s].name.clone()),
        queue: None,
        threads: Vec::new(),
        reads: vec![stages[s].input],
        writes: stages[s].output.into_iter().collect(),
    };
    let plain = |kind: GroupKind, queue: Option<usize>| Group {
        id: 0,
        kind,
        stage: None,
        name: None,
        queue,
        threads: Vec::new(),
        reads: Vec::new(),
        writes: Vec::new(),
    };

    let mut thread_group = Vec::with_capacity(threads.len());
    for (t, thread) in threads.iter().enumerate() {
        let (reads, writes) = (touched(t, true), touched(t, false));
        let mut stage = thread.stage;
        if t > 0 && stage.is_none() {
            // A thread that runs a stage's function nobody else works for stands for it.
            let works = thread.program.iter().find_map(|op| match op.kind {
                OpKind::Work { stage } => Some(stage),
                _ => None,
            });
            stage = works.filter(|&s| s < stages.len() && !has_members(s));
        }
        let g = if t == 0 {
            group_for(&mut groups, Key::Main, plain(GroupKind::Main, None))
        } else if let Some(s) = stage.filter(|&s| s < stages.len()) {
            group_for(&mut groups, Key::Stage(s), stage_group(s))
        } else if let Some(&q) = reads.first() {
            group_for(
                &mut groups,
                Key::Reads(q),
                plain(GroupKind::Consumer, Some(q)),
            )
        } else {
            group_for(&mut groups, Key::Main, plain(GroupKind::Main, None))
        };
        groups[g].threads.push(t);
        add_unique(&mut groups[g].reads, reads);
        add_unique(&mut groups[g].writes, writes);
        thread_group.push(g);
    }
    // Stages whose functions nobody runs still read their queue, so they get a column too.
    let stage_groups: Vec<usize> = (0..stages.len())
        .map(|s| {
            let mut make = stage_group(s);
            make.writes.clear();
            group_for(&mut groups, Key::Stage(s), make)
        })
        .collect();

    // Nodes: groups first, then queues. Edges: group -> queue (put), queue -> group (get).
    let q_node = |q: usize| groups.len() + q;
    let mut edges = Vec::new();
    for g in &groups {
        for &q in g.writes.iter().filter(|&&q| q < queues.len()) {
            edges.push(Edge {
                from: g.id,
                to: q_node(q),
                kind: EdgeKind::Write,
                group: g.id,
                queue: q,
                busy_wait: false,
                back: false,
            });
        }
        for &q in g.reads.iter().filter(|&&q| q < queues.len()) {
            edges.push(Edge {
                from: q_node(q),
                to: g.id,
                kind: EdgeKind::Read,
                group: g.id,
                queue: q,
                busy_wait: busy_waited(q) && !g.threads.iter().any(|&t| takes(t, q)),
                back: false,
            });
        }
    }
    let rank = ranks(groups.len() + queues.len(), &edges, 0);
    let group_rank: Vec<usize> = (0..groups.len()).map(|g| rank[g]).collect();
    let mut queue_rank: Vec<usize> = (0..queues.len()).map(|q| rank[q_node(q)]).collect();
    // A queue nobody writes sits just left of its readers.
    for (q, r) in queue_rank.iter_mut().enumerate() {
        let written = edges
            .iter()
            .any(|e| e.kind == EdgeKind::Write && e.queue == q);
        let first_reader = edges
            .iter()
            .filter(|e| e.kind == EdgeKind::Read && e.queue == q)
            .map(|e| group_rank[e.group])
            .min();
        if let (false, Some(first)) = (written, first_reader) {
            *r = first.saturating_sub(1).max(1);
        }
    }
    for e in &mut edges {
        let (from, to) = match e.kind {
            EdgeKind::Write => (group_rank[e.group], queue_rank[e.queue]),
            EdgeKind::Read => (queue_rank[e.queue], group_rank[e.group]),
        };
        e.back = to <= from;
    }

    let queues: Vec<QueueShape> = queues
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let done = scenario.done_queue == Some(i) && !taken(i) && q.maxsize == 0;
            QueueShape {
                index: i,
                name: q.name.clone(),
                kind: q.kind,
                done,
                resizable: q.kind != QueueKind::Polling && !done,
            }
        })
        .collect();
    let stages = stages
        .iter()
        .enumerate()
        .map(|(s, spec)| {
            let workers = threads.iter().filter(|t| t.stage == Some(s)).count();
            let fixed = if workers == 0 {
                Some(FixedWorkers::NoWorkers)
            } else if !scenario.stage_resizable(s) {
                Some(FixedWorkers::FixedSentinels)
            } else {
                None
            };
            StageShape {
                stage: s,
                name: spec.name.clone(),
                group: stage_groups[s],
                workers,
                fixed,
            }
        })
        .collect();
    Shape {
        done_queue: queues.iter().position(|q| q.done),
        groups,
        thread_group,
        stage_group: stage_groups,
        queues,
        edges,
        group_rank,
        queue_rank,
        stages,
        items: scenario.items,
        memory: scenario.memory.clone(),
        memory_counts_done: scenario.budget_counts_done(),
    }
}

/// How groups are told apart while they are made.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Key {
    Main,
    Stage(usize),
    Reads(usize),
}

fn add_unique(list: &mut Vec<usize>, values: impl IntoIterator<Item = usize>) {
    for v in values {
        if !list.contains(&v) {
            list.push(v);
        }
    }
}

/// Longest-path ranks from `root`, ignoring the edges that close a cycle (found depth first).
fn ranks(n: usize, edges: &[Edge], root: usize) -> Vec<usize> {
    let mut out = vec![Vec::new(); n];
    for (i, e) in edges.iter().enumerate() {
        out[e.from].push(i);
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Seen {
        New,
        OnStack,
        Done,
    }
    let mut seen = vec![Seen::New; n];
    let mut back = vec![false; edges.len()];
    let mut order = Vec::with_capacity(n);
    let mut visit = |start: usize, seen: &mut Vec<Seen>| {
        let mut stack = vec![(start, 0usize)];
        seen[start] = Seen::OnStack;
        while let Some(top) = stack.last_mut() {
            let (v, k) = *top;
            if k < out[v].len() {
                top.1 += 1;
                let ei = out[v][k];
                let w = edges[ei].to;
                match seen[w] {
                    Seen::OnStack => back[ei] = true,
                    Seen::New => {
                        seen[w] = Seen::OnStack;
                        stack.push((w, 0));
                    }
                    Seen::Done => {}
                }
            } else {
                seen[v] = Seen::Done;
                order.push(v);
                stack.pop();
            }
        }
    };
    if n > 0 {
        visit(root, &mut seen);
    }
    for v in 0..n {
        if seen[v] == Seen::New {
            visit(v, &mut seen);
        }
    }
    let mut rank = vec![0; n];
    for &v in order.iter().rev() {
        for &ei in &out[v] {
            if !back[ei] {
                let w = edges[ei].to;
                rank[w] = rank[w].max(rank[v] + 1);
            }
        }
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{preset, presets, PipelineSpec};

    fn of(id: &str) -> Shape {
        shape(&preset(id).unwrap())
    }

    #[test]
    fn every_thread_has_a_group_and_every_stage_a_column() {
        for info in presets() {
            let s = of(info.id);
            let scenario = preset(info.id).unwrap();
            assert_eq!(s.thread_group.len(), scenario.threads.len(), "{}", info.id);
            for (t, &g) in s.thread_group.iter().enumerate() {
                assert!(s.groups[g].threads.contains(&t), "{}: thread {t}", info.id);
            }
            for st in &s.stages {
                assert_eq!(s.groups[st.group].stage, Some(st.stage), "{}", info.id);
                assert_eq!(s.stage_group[st.stage], st.group);
            }
            assert_eq!(s.groups[s.thread_group[0]].kind, GroupKind::Main);
        }
    }

    #[test]
    fn the_done_end_has_a_share_of_the_budget_only_where_the_budget_counts_it() {
        // The builder keeping every finished image: done_queue's items count against its budget.
        let mut spec = PipelineSpec::tandem([1, 1, 1], 10, 100, 1);
        spec.memory_budget_bytes = Some(1 << 30);
        let keep = shape(&spec.build().unwrap());
        assert!(keep.memory.is_some() && keep.memory_counts_done);
        assert!(keep.done_queue.is_some());
        // F3's done_queue keeps only the uploads' small results: its budget counts the images
        // in the pipeline. P6 counts its results and lets them go.
        let f3 = of("f3");
        assert!(f3.memory.is_some() && !f3.memory_counts_done);
        assert!(!of("p6").memory_counts_done);
    }

    #[test]
    fn a_pipeline_reads_left_to_right_and_ends_in_its_done_queue() {
        let s = shape(&PipelineSpec::tandem([3, 4, 5], 10, 100, 1).build().unwrap());
        assert_eq!(s.done_queue, Some(3));
        assert!(!s.queues[3].resizable);
        assert!(s.queues[..3].iter().all(|q| q.resizable && !q.done));
        // main, then each stage's queue and workers one column further right.
        assert_eq!(s.queue_rank, [1, 3, 5, 7]);
        let ranks: Vec<usize> = s.stages.iter().map(|st| s.group_rank[st.group]).collect();
        assert_eq!(ranks, [2, 4, 6]);
        assert!(s.stages.iter().all(|st| st.fixed.is_none()));
        assert_eq!(
            s.stages.iter().map(|st| st.workers).collect::<Vec<_>>(),
            [3, 4, 5]
        );
        assert!(s.edges.iter().all(|e| !e.back));
    }

    #[test]
    fn each_preset_has_the_shape_the_note_draws() {
        // (id, done queue, stages whose workers are fixed and why)
        use FixedWorkers::*;
        type Expected<'a> = (&'a str, Option<usize>, &'a [(usize, FixedWorkers)]);
        let expect: [Expected; 10] = [
            ("p1", Some(3), &[]),
            ("p2", None, &[]),
            ("p3", None, &[]),
            ("p4", None, &[(0, NoWorkers)]),
            (
                "p5",
                Some(3),
                &[
                    (0, FixedSentinels),
                    (1, FixedSentinels),
                    (2, FixedSentinels),
                ],
            ),
            ("p6", Some(3), &[]),
            (
                "f1",
                Some(3),
                &[
                    (0, FixedSentinels),
                    (1, FixedSentinels),
                    (2, FixedSentinels),
                ],
            ),
            ("f2", None, &[(0, NoWorkers)]),
            (
                "f3",
                Some(3),
                &[
                    (0, FixedSentinels),
                    (1, FixedSentinels),
                    (2, FixedSentinels),
                ],
            ),
            ("f4", None, &[(0, NoWorkers)]),
        ];
        for (id, done, fixed) in expect {
            let s = of(id);
            assert_eq!(s.done_queue, done, "{id}: done queue");
            let got: Vec<(usize, FixedWorkers)> = s
                .stages
                .iter()
                .filter_map(|st| st.fixed.map(|f| (st.stage, f)))
                .collect();
            assert_eq!(got, fixed, "{id}: fixed stages");
        }
    }

    #[test]
    fn p1s_main_only_busy_waits_on_the_done_queue() {
        let s = of("p1");
        let busy: Vec<&Edge> = s.edges.iter().filter(|e| e.busy_wait).collect();
        assert_eq!(busy.len(), 1);
        assert_eq!(busy[0].queue, 3);
        assert_eq!(s.groups[busy[0].group].kind, GroupKind::Main);
    }

    #[test]
    fn the_shape_crosses_to_the_page_in_camel_case() {
        let json = serde_json::to_value(of("p6")).unwrap();
        assert!(json["groupRank"].is_array());
        assert_eq!(json["doneQueue"], 3);
        assert_eq!(json["groups"][1]["kind"], "stage");
        assert_eq!(json["edges"][0]["busyWait"], false);
        assert_eq!(json["stages"][0]["fixed"], serde_json::Value::Null);
    }
}
