package dev.ecsretrier.local.serve;

import java.util.Optional;

/** One AWS API that the endpoint serves in its own wire protocol. */
interface AwsApi {

    /**
     * The answer to a request for this API, errors included in the API's own error shape; empty
     * when the request is not for this API.
     */
    Optional<WireResponse> answer(WireRequest request);
}
