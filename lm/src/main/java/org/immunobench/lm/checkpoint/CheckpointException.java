package org.immunobench.lm.checkpoint;

/**
 * A checkpoint file or directory that cannot be read or written as asked. The message always names the file and,
 * when one is at fault, the tensor or JSON key, so a failed Spark task row says what to fix.
 */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
