package dev.ecsretrier.core;

import java.util.List;

/**
 * After an ENI timeout or a RunTask refused for lack of capacity, retries with the next of the
 * configured subnets first (another Availability Zone, when they are spread).
 */
record SubnetRotation(List<String> subnets) implements Adaptation {

    SubnetRotation {
        subnets = List.copyOf(subnets);
    }

    @Override
    public Plan adapt(EndedAttempt ended, Plan planned) {
        Verdict verdict = planned.verdict();
        boolean noCapacity = verdict.recognised(Cause.NO_CAPACITY);
        if (!planned.retried() || subnets.size() < 2 || !(noCapacity || verdict.recognised(Cause.ENI_TIMEOUT))) {
            return planned;
        }
        Integer current = planned.next().subnetOffset();
        int offset = Math.floorMod((current == null ? 0 : current) + 1, subnets.size());
        String change = "subnet " + subnets.get(offset) + " first after "
                + (noCapacity ? "a capacity failure" : "an ENI timeout");
        return planned.changed(planned.next().withSubnetOffset(offset, change), change);
    }
}
