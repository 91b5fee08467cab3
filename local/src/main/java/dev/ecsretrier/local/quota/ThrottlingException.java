package dev.ecsretrier.local.quota;

/**
 * A call AWS throttled even after the SDK's retries: what the SDK throws then, with the service's
 * error code ({@code ThrottlingException}) and message ("Rate exceeded").
 */
public final class ThrottlingException extends RuntimeException {

    private final AwsQuota quota;

    ThrottlingException(AwsQuota quota, int attempts) {
        super("Rate exceeded (Service: " + quota.api().substring(0, quota.api().indexOf(':')) + ", Error Code: "
                + quota.errorCode() + ") on " + quota.api() + " after " + attempts + " attempts");
        this.quota = quota;
    }

    public AwsQuota quota() {
        return quota;
    }

    public String errorCode() {
        return quota.errorCode();
    }
}
