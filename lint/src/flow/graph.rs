//! Call graphs over every function of a workspace, as compressed adjacency
//! arrays: one array of targets and one of offsets, instead of a vector
//! per function. At a million lines that is two allocations instead of a
//! hundred thousand, and a walk reads memory in order.

use crate::index::FnId;

/// Each function's successors, `targets[start[f]..start[f + 1]]`.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    start: Vec<usize>,
    targets: Vec<FnId>,
}

impl Graph {
    /// The graph with `lists[f]` as the successors of `f`.
    pub fn from_lists<E: AsRef<[FnId]>>(lists: &[E]) -> Graph {
        let mut start = Vec::with_capacity(lists.len() + 1);
        let mut targets = Vec::with_capacity(lists.iter().map(|l| l.as_ref().len()).sum());
        start.push(0);
        for l in lists {
            targets.extend_from_slice(l.as_ref());
            start.push(targets.len());
        }
        Graph { start, targets }
    }

    /// The graph on `n` functions with these edges; each function's
    /// successors keep the edges' order.
    pub fn from_edges(n: usize, edges: &[(FnId, FnId)]) -> Graph {
        let mut start = vec![0usize; n + 1];
        for &(f, _) in edges {
            start[f + 1] += 1;
        }
        for f in 0..n {
            start[f + 1] += start[f];
        }
        let mut next = start.clone();
        let mut targets = vec![0; edges.len()];
        for &(f, g) in edges {
            targets[next[f]] = g;
            next[f] += 1;
        }
        Graph { start, targets }
    }

    /// Every edge turned around; each function's predecessors in order.
    pub fn transpose(&self) -> Graph {
        let n = self.len();
        let mut start = vec![0usize; n + 1];
        for &g in &self.targets {
            start[g + 1] += 1;
        }
        for f in 0..n {
            start[f + 1] += start[f];
        }
        let mut next = start.clone();
        let mut targets = vec![0; self.targets.len()];
        for f in 0..n {
            for &g in self.succ(f) {
                targets[next[g]] = f;
                next[g] += 1;
            }
        }
        Graph { start, targets }
    }

    /// How many functions.
    pub fn len(&self) -> usize {
        self.start.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn succ(&self, f: FnId) -> &[FnId] {
        &self.targets[self.start[f]..self.start[f + 1]]
    }

    /// The height of each function in the condensation of the graph: 0 for
    /// functions that call nothing (outside their own recursive component),
    /// else one more than their highest callee's component.
    pub fn levels(&self) -> Vec<usize> {
        // Kosaraju, iteratively: finish order on the graph, then components
        // on the transpose in reverse finish order (sources first).
        let n = self.len();
        let mut seen = vec![false; n];
        let mut order = Vec::with_capacity(n);
        let mut stack: Vec<(FnId, usize)> = Vec::new();
        for root in 0..n {
            if seen[root] {
                continue;
            }
            seen[root] = true;
            stack.push((root, 0));
            while let Some((f, i)) = stack.pop() {
                match self.succ(f).get(i) {
                    Some(&g) => {
                        stack.push((f, i + 1));
                        if !seen[g] {
                            seen[g] = true;
                            stack.push((g, 0));
                        }
                    }
                    None => order.push(f),
                }
            }
        }
        let preds = self.transpose();
        // Components' members, one component after another: `members`
        // doubles as each component's work list.
        let mut comp = vec![usize::MAX; n];
        let mut members: Vec<FnId> = Vec::with_capacity(n);
        let mut comp_start: Vec<usize> = Vec::new();
        for &root in order.iter().rev() {
            if comp[root] != usize::MAX {
                continue;
            }
            let c = comp_start.len();
            let mut next = members.len();
            comp_start.push(next);
            comp[root] = c;
            members.push(root);
            while let Some(&f) = members.get(next) {
                next += 1;
                for &g in preds.succ(f) {
                    if comp[g] == usize::MAX {
                        comp[g] = c;
                        members.push(g);
                    }
                }
            }
        }
        comp_start.push(members.len());
        // Components come out sources first: callees are later. Walk backwards.
        let comps = comp_start.len() - 1;
        let mut comp_level = vec![0usize; comps];
        for c in (0..comps).rev() {
            let mut l = 0;
            for &f in &members[comp_start[c]..comp_start[c + 1]] {
                for &g in self.succ(f) {
                    let d = comp[g];
                    if d != c {
                        l = l.max(comp_level[d] + 1);
                    }
                }
            }
            comp_level[c] = l;
        }
        comp.iter().map(|&c| comp_level[c]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_edges_matches_from_lists_and_transposes() {
        let lists: Vec<Vec<FnId>> = vec![vec![1, 2], vec![], vec![0, 2], vec![1]];
        let edges: Vec<(FnId, FnId)> = lists
            .iter()
            .enumerate()
            .flat_map(|(f, l)| l.iter().map(move |&g| (f, g)))
            .collect();
        let a = Graph::from_lists(&lists);
        let b = Graph::from_edges(4, &edges);
        for (f, l) in lists.iter().enumerate() {
            assert_eq!(a.succ(f), &l[..]);
            assert_eq!(b.succ(f), &l[..]);
        }
        let t = a.transpose();
        assert_eq!(t.succ(0), &[2]);
        assert_eq!(t.succ(1), &[0, 3]);
        assert_eq!(t.succ(2), &[0, 2]);
        assert!(t.succ(3).is_empty());
        assert!(Graph::from_lists::<Vec<FnId>>(&[]).is_empty());
    }

    #[test]
    fn levels_count_components_not_functions() {
        // 0 → 1 ⇄ 2 → 3, 4 alone, 5 → 5, 6 → 0 and 6 → 3.
        let g = Graph::from_lists(&[
            vec![1],
            vec![2],
            vec![1, 3],
            vec![],
            vec![],
            vec![5],
            vec![0, 3],
        ]);
        assert_eq!(g.levels(), vec![2, 1, 1, 0, 0, 0, 3]);
    }
}
