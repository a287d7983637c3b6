package org.immunobench.curation.dedup;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Distinct row pairs that share at least one MinHash band key, materialised, with the bucket-size guard's counts.
 *
 * @param pairs (rid_a, rid_b): 64-bit hashes of the ids (self mode: rid_a < rid_b; cross mode: rid_a eval side)
 * @param count number of pairs
 * @param oversizedBuckets buckets larger than max_bucket_size
 * @param membersBeyondCap members of those buckets paired only with their bucket's first member
 */
public record CandidatePairs(Dataset<Row> pairs, long count, long oversizedBuckets, long membersBeyondCap) {
}
