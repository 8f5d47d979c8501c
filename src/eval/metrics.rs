//! Ranking metrics over the first `k` hits of one query, from graded ratings: 0 is not
//! relevant, 1 and up relevant, higher better (the `rank_eval` route rates 0–3; the
//! relevance suite rates every relevant document 1). Unrated hits count as 0.

use std::collections::HashMap;
use std::hash::Hash;

use serde::Serialize;

/// The scores of one ranking, each 0–1.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Scores {
    /// Relevant documents among the first `k` hits over min(relevant documents, `k`): 1
    /// when the first page is as full of relevant documents as it can be.
    pub recall: f64,
    /// Relevant documents among the first `k` hits over `k`.
    pub precision: f64,
    /// 1 / the rank of the first relevant hit; 0 when none is in the first `k`.
    pub mrr: f64,
    /// Discounted cumulative gain of the first `k` hits (gain 2^rating − 1, discount
    /// log2(rank + 1)) over the same for the best ranking the ratings allow.
    pub ndcg: f64,
}

/// Scores the first `k` of `ranked` (best first) against `ratings`. A query without a
/// rating of 1 or more scores 0 everywhere.
pub fn score<T: Eq + Hash>(ranked: &[T], ratings: &HashMap<T, u8>, k: usize) -> Scores {
    let relevant = ratings.values().filter(|&&r| r > 0).count();
    if k == 0 || relevant == 0 {
        return Scores::default();
    }
    let page = &ranked[..ranked.len().min(k)];
    let rating = |id: &T| ratings.get(id).copied().unwrap_or(0);
    let found = page.iter().filter(|id| rating(id) > 0).count();
    let mrr = page
        .iter()
        .position(|id| rating(id) > 0)
        .map_or(0.0, |rank| 1.0 / (rank + 1) as f64);
    let dcg = dcg(page.iter().map(rating));
    let mut best: Vec<u8> = ratings.values().copied().collect();
    best.sort_unstable_by(|a, b| b.cmp(a));
    best.truncate(k);
    Scores {
        recall: found as f64 / relevant.min(k) as f64,
        precision: found as f64 / k as f64,
        mrr,
        ndcg: dcg / self::dcg(best.into_iter()),
    }
}

/// The mean of each score over `scores` (all 0 for none).
pub fn mean(scores: &[Scores]) -> Scores {
    if scores.is_empty() {
        return Scores::default();
    }
    let n = scores.len() as f64;
    let sum = |f: fn(&Scores) -> f64| scores.iter().map(f).sum::<f64>() / n;
    Scores {
        recall: sum(|s| s.recall),
        precision: sum(|s| s.precision),
        mrr: sum(|s| s.mrr),
        ndcg: sum(|s| s.ndcg),
    }
}

fn dcg(ratings: impl Iterator<Item = u8>) -> f64 {
    ratings
        .enumerate()
        .map(|(i, r)| (2f64.powi(i32::from(r)) - 1.0) / ((i + 2) as f64).log2())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rated(pairs: &[(u32, u8)]) -> HashMap<u32, u8> {
        pairs.iter().copied().collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn a_perfect_ranking_scores_one() {
        let ratings = rated(&[(1, 3), (2, 2), (3, 1)]);
        let s = score(&[1, 2, 3, 4], &ratings, 3);
        assert_eq!(
            s,
            Scores {
                recall: 1.0,
                precision: 1.0,
                mrr: 1.0,
                ndcg: 1.0
            }
        );
    }

    #[test]
    fn graded_ndcg_of_a_known_ranking() {
        // Hits 7 (unrated), 2 (rated 2), 1 (rated 3); 3 (rated 1) is not retrieved.
        let ratings = rated(&[(1, 3), (2, 2), (3, 1), (9, 0)]);
        let s = score(&[7, 2, 1], &ratings, 3);
        // DCG = 0 + 3/log2(3) + 7/log2(4); ideal = 7 + 3/log2(3) + 1/log2(4).
        let dcg = 3.0 / 3f64.log2() + 7.0 / 2.0;
        let ideal = 7.0 + 3.0 / 3f64.log2() + 0.5;
        assert!(close(s.ndcg, dcg / ideal), "{s:?}");
        assert!((s.ndcg - 0.5741).abs() < 1e-4, "{}", s.ndcg);
        assert!(close(s.recall, 2.0 / 3.0) && close(s.precision, 2.0 / 3.0));
        assert!(close(s.mrr, 0.5));
    }

    #[test]
    fn recall_is_capped_at_k_and_precision_divides_by_k() {
        // 20 relevant documents, 4 of them in the first 5 of a page of 6.
        let ratings: HashMap<u32, u8> = (1..=20).map(|id| (id, 1)).collect();
        let s = score(&[100, 1, 2, 3, 4, 5], &ratings, 5);
        assert!(close(s.recall, 4.0 / 5.0) && close(s.precision, 4.0 / 5.0));
        assert!(close(s.mrr, 0.5));
        // Fewer hits than k: precision still divides by k, recall by the relevant ones.
        let ratings = rated(&[(1, 1), (2, 1)]);
        let s = score(&[1], &ratings, 10);
        assert!(close(s.recall, 0.5) && close(s.precision, 0.1) && close(s.mrr, 1.0));
    }

    #[test]
    fn nothing_relevant_scores_zero() {
        assert_eq!(score(&[1, 2], &rated(&[(1, 0)]), 10), Scores::default());
        assert_eq!(score::<u32>(&[], &rated(&[(1, 2)]), 10), Scores::default());
        assert_eq!(score(&[1], &rated(&[(1, 2)]), 0), Scores::default());
    }

    #[test]
    fn means_are_per_score() {
        let a = Scores {
            recall: 1.0,
            precision: 0.5,
            mrr: 1.0,
            ndcg: 0.25,
        };
        let m = mean(&[a, Scores::default()]);
        assert_eq!(
            m,
            Scores {
                recall: 0.5,
                precision: 0.25,
                mrr: 0.5,
                ndcg: 0.125
            }
        );
        assert_eq!(mean(&[]), Scores::default());
    }
}
