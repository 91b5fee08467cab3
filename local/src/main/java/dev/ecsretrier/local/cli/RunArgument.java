package dev.ecsretrier.local.cli;

import dev.ecsretrier.core.AttemptMetadata;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** The RUN that {@code show} and {@code cancel} act on: a run id, checked as it is read. */
final class RunArgument {

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    String runId;

    @Parameters(index = "0", paramLabel = "RUN", description = "The run id.")
    void runId(String id) {
        if (!AttemptMetadata.RUN_ID.matcher(id).matches()) {
            throw new ParameterException(spec.commandLine(), "Invalid value for parameter 'RUN': '" + id
                    + "' is not a run id (1-48 letters, digits, '.', '_' or '-', starting with a letter or digit)");
        }
        runId = id;
    }
}
