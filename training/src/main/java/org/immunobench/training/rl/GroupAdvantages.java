package org.immunobench.training.rl;

/**
 * Sequence-level advantages from the rewards of groups of rollouts that share a prompt (rows of group g are
 * contiguous or not; only the group ids matter).
 *
 * <p>GRPO (Shao et al., DeepSeekMath, arXiv 2402.03300, outcome supervision): A_i = (r_i − mean_g) / (std_g + δ),
 * with std_g the sample standard deviation of the group (n − 1 in the denominator, as verl computes it) and
 * δ = 1e-6; a group whose rewards are all equal has advantages 0 and teaches nothing, which is why a policy that
 * never varies its answers cannot be moved by RL (the premise of TokenBuncher). A group of one rollout gets 0.
 *
 * <p>REINFORCE with a baseline: A_i = r_i − mean of the other rollouts of its group (the leave-one-out baseline of
 * RLOO, Ahmadian et al. arXiv 2402.14740), which keeps the gradient estimate unbiased; a group of one gets A = r.
 */
public final class GroupAdvantages {
    public static final double STD_EPSILON = 1e-6;

    private GroupAdvantages() {
    }

    public static double[] grpo(double[] rewards, int[] group) {
        check(rewards, group);
        int groups = groups(group);
        double[] sum = new double[groups];
        int[] count = new int[groups];
        for (int i = 0; i < rewards.length; i++) {
            sum[group[i]] += rewards[i];
            count[group[i]]++;
        }
        double[] sq = new double[groups];
        for (int i = 0; i < rewards.length; i++) {
            double d = rewards[i] - sum[group[i]] / count[group[i]];
            sq[group[i]] += d * d;
        }
        double[] a = new double[rewards.length];
        for (int i = 0; i < rewards.length; i++) {
            int g = group[i];
            if (count[g] < 2) {
                continue;
            }
            double std = Math.sqrt(sq[g] / (count[g] - 1));
            a[i] = (rewards[i] - sum[g] / count[g]) / (std + STD_EPSILON);
        }
        return a;
    }

    public static double[] leaveOneOut(double[] rewards, int[] group) {
        check(rewards, group);
        int groups = groups(group);
        double[] sum = new double[groups];
        int[] count = new int[groups];
        for (int i = 0; i < rewards.length; i++) {
            sum[group[i]] += rewards[i];
            count[group[i]]++;
        }
        double[] a = new double[rewards.length];
        for (int i = 0; i < rewards.length; i++) {
            int g = group[i];
            a[i] = count[g] < 2 ? rewards[i] : rewards[i] - (sum[g] - rewards[i]) / (count[g] - 1);
        }
        return a;
    }

    private static int groups(int[] group) {
        int max = -1;
        for (int g : group) {
            if (g < 0) {
                throw new IllegalArgumentException("group ids must be >= 0, got " + g);
            }
            max = Math.max(max, g);
        }
        return max + 1;
    }

    private static void check(double[] rewards, int[] group) {
        if (rewards.length != group.length) {
            throw new IllegalArgumentException(rewards.length + " rewards for " + group.length + " group ids");
        }
        for (int i = 0; i < rewards.length; i++) {
            if (!Double.isFinite(rewards[i])) {
                throw new IllegalArgumentException("reward " + i + " is not finite: " + rewards[i]);
            }
        }
    }
}
