package dev.ecsretrier.local.serve;

import dev.ecsretrier.local.sns.PublishedNotification;

/** The one notification a run published, for the operate tests. */
final class OperateCommandsTestAccess {

    private OperateCommandsTestAccess() {
    }

    static PublishedNotification notification(ServedRuntime served, String runId) {
        return served.runtime.notifications().stream().filter(n -> runId.equals(n.attributes().get("runId")))
                .reduce((a, b) -> {
                    throw new AssertionError("two notifications for " + runId);
                }).orElseThrow(() -> new AssertionError("no notification for " + runId));
    }
}
