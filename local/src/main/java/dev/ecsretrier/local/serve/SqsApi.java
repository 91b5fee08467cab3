package dev.ecsretrier.local.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ecsretrier.local.LocalJson;
import dev.ecsretrier.local.LocalSettings;
import dev.ecsretrier.local.sqs.LocalQueues;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * SQS over the local dead-letter queues, in both protocols its clients speak: AWS JSON 1.0
 * ({@code X-Amz-Target: AmazonSQS.<Operation>}, what SDK v2 sends since 2.21) and the query protocol
 * (form-encoded {@code Action=...&Version=2012-11-05}, XML answers, what the AWS CLI v2 of Debian 12
 * sends). Operations: GetQueueUrl, ListQueues, SendMessage, ReceiveMessage, DeleteMessage,
 * ChangeMessageVisibility, GetQueueAttributes
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html).
 * Errors as SQS's: QueueDoesNotExist ({@code AWS.SimpleQueueService.NonExistentQueue}),
 * ReceiptHandleIsInvalid, InvalidParameterValue.
 */
final class SqsApi implements AwsApi {

    static final String TARGET_PREFIX = "AmazonSQS.";
    static final String JSON_10 = "application/x-amz-json-1.0";
    static final String VERSION = "2012-11-05";
    static final String NAMESPACE = "http://queue.amazonaws.com/doc/2012-11-05/";
    static final Set<String> ACTIONS = Set.of("GetQueueUrl", "ListQueues", "SendMessage", "ReceiveMessage",
            "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes");
    /** ReceiveMessage: MaxNumberOfMessages 1 to 10, WaitTimeSeconds 0 to 20 (API_ReceiveMessage.html). */
    static final int MAX_RECEIVED = 10;
    static final int MAX_WAIT_SECONDS = 20;
    /** VisibilityTimeout 0 to 43,200 seconds (12 hours). */
    static final int MAX_VISIBILITY_SECONDS = 43_200;
    /** SendMessage: DelaySeconds 0 to 900; a body of at most 256 KiB (API_SendMessage.html). */
    static final int MAX_DELAY_SECONDS = 900;
    static final int MAX_BODY_BYTES = 262_144;
    /** ListQueues: MaxResults 1 to 1,000. */
    static final int MAX_LISTED = 1000;

    private final LocalQueues queues;
    private final Consumer<String> log;

    SqsApi(LocalQueues queues, Consumer<String> log) {
        this.queues = queues;
        this.log = log;
    }

    @Override
    public Optional<WireResponse> answer(WireRequest request) {
        if (!"POST".equals(request.method())) {
            return Optional.empty();
        }
        Optional<String> target = request.header("X-Amz-Target");
        if (target.isPresent()) {
            if (!target.get().startsWith(TARGET_PREFIX)) {
                return Optional.empty();
            }
            JsonNode body;
            try {
                body = request.body().length == 0 ? LocalJson.MAPPER.createObjectNode() : LocalJson.tree(request.body());
            } catch (IOException e) {
                return Optional.of(new Json().error("InvalidParameterValue", RequestLimits.describe(e)));
            }
            return Optional.of(handle(target.get().substring(TARGET_PREFIX.length()),
                    body == null || !body.isObject() ? LocalJson.MAPPER.createObjectNode() : (ObjectNode) body,
                    request, new Json()));
        }
        boolean form = request.header("Content-Type").map(t -> t.startsWith("application/x-www-form-urlencoded"))
                .orElse(false);
        if (!form) {
            return Optional.empty();
        }
        Map<String, String> parameters;
        try {
            parameters = WireRequest.form(request.bodyText());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String action = parameters.getOrDefault("Action", "");
        // SNS shares the query protocol: only SQS's version or actions are ours.
        if (!VERSION.equals(parameters.get("Version")) && !ACTIONS.contains(action)) {
            return Optional.empty();
        }
        return Optional.of(handle(action, fromForm(parameters), request, new Query(action)));
    }

    private WireResponse handle(String operation, ObjectNode body, WireRequest request, Protocol protocol) {
        try {
            return switch (operation) {
                case "GetQueueUrl" -> getQueueUrl(body, request, protocol);
                case "ListQueues" -> listQueues(body, request, protocol);
                case "SendMessage" -> sendMessage(body, protocol);
                case "ReceiveMessage" -> receiveMessage(body, protocol);
                case "DeleteMessage" -> deleteMessage(body, protocol);
                case "ChangeMessageVisibility" -> changeVisibility(body, protocol);
                case "GetQueueAttributes" -> getQueueAttributes(body, protocol);
                default -> protocol.error("InvalidAction", "SQS " + operation + " is not served locally; only "
                        + String.join(", ", new java.util.TreeSet<>(ACTIONS)));
            };
        } catch (SqsError e) {
            log.accept("sqs " + operation + ": " + e.code + ": " + e.getMessage());
            return protocol.error(e.code, e.getMessage());
        }
    }

    private WireResponse getQueueUrl(ObjectNode body, WireRequest request, Protocol protocol) {
        String name = body.path("QueueName").asText("");
        if (!queues.exists(name)) {
            throw new SqsError("QueueDoesNotExist", "The specified queue does not exist.");
        }
        ObjectNode result = LocalJson.MAPPER.createObjectNode().put("QueueUrl", url(request, name));
        log.accept("sqs get-queue-url " + name);
        return protocol.ok(result);
    }

    private WireResponse listQueues(ObjectNode body, WireRequest request, Protocol protocol) {
        String prefix = body.path("QueueNamePrefix").asText("");
        int max = body.has("MaxResults") ? body.path("MaxResults").asInt(-1) : MAX_LISTED;
        if (max < 1 || max > MAX_LISTED) {
            throw new SqsError("InvalidParameterValue", "MaxResults must be between 1 and " + MAX_LISTED);
        }
        int from = PageToken.offset(body.path("NextToken").asText(null))
                .orElseThrow(() -> new SqsError("InvalidParameterValue", "Invalid NextToken value."));
        List<String> names = queues.names().stream().filter(n -> n.startsWith(prefix)).toList();
        ObjectNode result = LocalJson.MAPPER.createObjectNode();
        ArrayNode urls = result.putArray("QueueUrls");
        names.stream().skip(from).limit(max).forEach(n -> urls.add(url(request, n)));
        // Without MaxResults, ListQueues answers up to 1,000 and no token.
        if (body.has("MaxResults") && from + max < names.size()) {
            result.put("NextToken", PageToken.of(from + max));
        }
        log.accept("sqs list-queues: " + urls.size());
        return protocol.ok(result);
    }

    private WireResponse sendMessage(ObjectNode body, Protocol protocol) {
        String queue = queue(body);
        String text = body.path("MessageBody").asText("");
        if (text.isEmpty()) {
            throw new SqsError("MissingParameter", "The request must contain the parameter MessageBody.");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) {
            throw new SqsError("InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be"
                    + " shorter than " + MAX_BODY_BYTES + " bytes.");
        }
        int delay = bounded(body, "DelaySeconds", 0, 0, MAX_DELAY_SECONDS);
        Map<String, LocalQueues.Attribute> attributes = new LinkedHashMap<>();
        body.path("MessageAttributes").fields().forEachRemaining(field -> {
            String type = field.getValue().path("DataType").asText("");
            if (!type.startsWith("String") && !type.startsWith("Number")) {
                throw new SqsError("InvalidParameterValue", "The message attribute '" + field.getKey()
                        + "' must have a DataType of String or Number (Binary is not served locally).");
            }
            attributes.put(field.getKey(), new LocalQueues.Attribute(type, field.getValue().path("StringValue").asText("")));
        });
        String id = queues.send(queue, text, attributes, Duration.ofSeconds(delay));
        ObjectNode result = LocalJson.MAPPER.createObjectNode()
                .put("MD5OfMessageBody", md5(text.getBytes(StandardCharsets.UTF_8)))
                .put("MessageId", id);
        if (!attributes.isEmpty()) {
            result.put("MD5OfMessageAttributes", md5OfAttributes(attributes));
        }
        log.accept("sqs send-message " + queue + ": " + id);
        return protocol.ok(result);
    }

    private WireResponse receiveMessage(ObjectNode body, Protocol protocol) {
        String queue = queue(body);
        int max = bounded(body, "MaxNumberOfMessages", 1, 1, MAX_RECEIVED);
        int visibility = bounded(body, "VisibilityTimeout", (int) LocalQueues.DEFAULT_VISIBILITY.toSeconds(), 0,
                MAX_VISIBILITY_SECONDS);
        int wait = bounded(body, "WaitTimeSeconds", 0, 0, MAX_WAIT_SECONDS);
        Set<String> system = new java.util.HashSet<>();
        body.path("AttributeNames").forEach(n -> system.add(n.asText()));
        body.path("MessageSystemAttributeNames").forEach(n -> system.add(n.asText()));
        List<String> wanted = new ArrayList<>();
        body.path("MessageAttributeNames").forEach(n -> wanted.add(n.asText()));
        List<LocalQueues.Message> received;
        try {
            received = queues.receive(queue, max, Duration.ofSeconds(visibility), Duration.ofSeconds(wait));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            received = List.of();
        }
        ObjectNode result = LocalJson.MAPPER.createObjectNode();
        ArrayNode messages = result.putArray("Messages");
        for (LocalQueues.Message m : received) {
            ObjectNode message = messages.addObject()
                    .put("MessageId", m.messageId())
                    .put("ReceiptHandle", m.receiptHandle())
                    .put("MD5OfBody", md5(m.body().getBytes(StandardCharsets.UTF_8)))
                    .put("Body", m.body());
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("SenderId", LocalSettings.ACCOUNT);
            attributes.put("SentTimestamp", Long.toString(m.sentTimestamp()));
            attributes.put("ApproximateReceiveCount", Integer.toString(m.receiveCount()));
            attributes.put("ApproximateFirstReceiveTimestamp", Long.toString(m.firstReceiveTimestamp()));
            ObjectNode out = LocalJson.MAPPER.createObjectNode();
            attributes.forEach((name, value) -> {
                if (system.contains("All") || system.contains(name)) {
                    out.put(name, value);
                }
            });
            if (!out.isEmpty()) {
                message.set("Attributes", out);
            }
            Map<String, LocalQueues.Attribute> selected = new TreeMap<>();
            m.attributes().forEach((name, value) -> {
                if (wanted.stream().anyMatch(w -> w.equals("All") || w.equals(".*") || w.equals(name)
                        || (w.endsWith(".*") && name.startsWith(w.substring(0, w.length() - 1))))) {
                    selected.put(name, value);
                }
            });
            if (!selected.isEmpty()) {
                message.put("MD5OfMessageAttributes", md5OfAttributes(selected));
                ObjectNode values = message.putObject("MessageAttributes");
                selected.forEach((name, value) -> values.putObject(name)
                        .put("StringValue", value.stringValue()).put("DataType", value.dataType()));
            }
        }
        log.accept("sqs receive-message " + queue + ": " + received.size());
        return protocol.ok(result);
    }

    private WireResponse deleteMessage(ObjectNode body, Protocol protocol) {
        String queue = queue(body);
        String handle = body.path("ReceiptHandle").asText("");
        if (!handle.contains("#")) {
            throw new SqsError("ReceiptHandleIsInvalid", "The input receipt handle \"" + handle + "\" is not a valid receipt handle.");
        }
        // A handle of ours whose message is gone (deleted already) is not an error, as in SQS.
        boolean deleted = queues.delete(queue, handle);
        log.accept("sqs delete-message " + queue + (deleted ? ": deleted" : ": was already deleted"));
        return protocol.ok(LocalJson.MAPPER.createObjectNode());
    }

    private WireResponse changeVisibility(ObjectNode body, Protocol protocol) {
        String queue = queue(body);
        String handle = body.path("ReceiptHandle").asText("");
        int visibility = bounded(body, "VisibilityTimeout", 0, 0, MAX_VISIBILITY_SECONDS);
        if (!queues.changeVisibility(queue, handle, Duration.ofSeconds(visibility))) {
            throw new SqsError("ReceiptHandleIsInvalid", "The input receipt handle \"" + handle + "\" is not a valid receipt handle.");
        }
        return protocol.ok(LocalJson.MAPPER.createObjectNode());
    }

    private WireResponse getQueueAttributes(ObjectNode body, Protocol protocol) {
        String queue = queue(body);
        Set<String> names = new java.util.HashSet<>();
        body.path("AttributeNames").forEach(n -> names.add(n.asText()));
        Map<String, String> all = new LinkedHashMap<>();
        all.put("QueueArn", LocalSettings.queueArn(queue));
        all.put("ApproximateNumberOfMessages", Integer.toString(queues.visible(queue)));
        all.put("ApproximateNumberOfMessagesNotVisible", Integer.toString(queues.notVisible(queue)));
        all.put("ApproximateNumberOfMessagesDelayed", "0");
        all.put("VisibilityTimeout", Long.toString(LocalQueues.DEFAULT_VISIBILITY.toSeconds()));
        all.put("MessageRetentionPeriod", Long.toString(Duration.ofDays(14).toSeconds()));
        all.put("MaximumMessageSize", Integer.toString(MAX_BODY_BYTES));
        all.put("DelaySeconds", "0");
        all.put("ReceiveMessageWaitTimeSeconds", "0");
        all.put("SqsManagedSseEnabled", "true");
        ObjectNode attributes = LocalJson.MAPPER.createObjectNode();
        all.forEach((name, value) -> {
            if (names.contains("All") || names.contains(name)) {
                attributes.put(name, value);
            }
        });
        ObjectNode result = LocalJson.MAPPER.createObjectNode();
        if (!attributes.isEmpty()) {
            result.set("Attributes", attributes);
        }
        return protocol.ok(result);
    }

    /** The queue a QueueUrl names: its last path segment. */
    private String queue(ObjectNode body) {
        String url = body.path("QueueUrl").asText("");
        String name = url.substring(url.lastIndexOf('/') + 1);
        if (name.isEmpty() || !queues.exists(name)) {
            throw new SqsError("QueueDoesNotExist", "The specified queue does not exist.");
        }
        return name;
    }

    /** {@code http://<the host the client used>/<account>/<name>}, as SQS's URLs are account/name under the endpoint. */
    private static String url(WireRequest request, String name) {
        return "http://" + request.header("Host").orElse("localhost") + "/" + LocalSettings.ACCOUNT + "/" + name;
    }

    private static int bounded(ObjectNode body, String field, int absent, int min, int max) {
        if (!body.has(field)) {
            return absent;
        }
        int value = body.path(field).asInt(Integer.MIN_VALUE);
        if (value < min || value > max) {
            throw new SqsError("InvalidParameterValue", "Value " + body.path(field).asText() + " for parameter " + field
                    + " is invalid. Reason: must be between " + min + " and " + max + ".");
        }
        return value;
    }

    /** The query protocol's parameters in the JSON protocol's shape. */
    private static ObjectNode fromForm(Map<String, String> parameters) {
        ObjectNode body = LocalJson.MAPPER.createObjectNode();
        Map<String, ObjectNode> attributes = new TreeMap<>();
        parameters.forEach((name, value) -> {
            if (name.matches("AttributeName\\.\\d+")) {
                body.withArray("AttributeNames").add(value);
            } else if (name.matches("MessageSystemAttributeName\\.\\d+")) {
                body.withArray("MessageSystemAttributeNames").add(value);
            } else if (name.matches("MessageAttributeName\\.\\d+")) {
                body.withArray("MessageAttributeNames").add(value);
            } else if (name.matches("MessageAttribute\\.\\d+\\..+")) {
                String[] parts = name.split("\\.", 3);
                ObjectNode attribute = attributes.computeIfAbsent(parts[1], n -> LocalJson.MAPPER.createObjectNode());
                switch (parts[2]) {
                    case "Name" -> attribute.put("Name", value);
                    case "Value.DataType" -> attribute.put("DataType", value);
                    case "Value.StringValue" -> attribute.put("StringValue", value);
                    default -> { }
                }
            } else if (!name.equals("Action") && !name.equals("Version")) {
                body.put(name, value);
            }
        });
        if (!attributes.isEmpty()) {
            ObjectNode values = body.putObject("MessageAttributes");
            attributes.values().forEach(a -> values.putObject(a.path("Name").asText())
                    .put("DataType", a.path("DataType").asText()).put("StringValue", a.path("StringValue").asText()));
        }
        return body;
    }

    static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * SQS's MD5 of message attributes, which SDK v2 checks: for each attribute by name, the name, the
     * data type and the value, each as a 4-byte big-endian length and UTF-8 bytes, with a transport
     * byte 1 (string) before the value
     * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html).
     */
    static String md5OfAttributes(Map<String, LocalQueues.Attribute> attributes) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new TreeMap<>(attributes).forEach((name, attribute) -> {
            lengthAndBytes(bytes, name);
            lengthAndBytes(bytes, attribute.dataType());
            bytes.write(1);
            lengthAndBytes(bytes, attribute.stringValue());
        });
        return md5(bytes.toByteArray());
    }

    private static void lengthAndBytes(ByteArrayOutputStream out, String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).putInt(utf8.length).array());
        out.writeBytes(utf8);
    }

    /** How an answer is written: JSON 1.0 or the query protocol's XML. */
    private interface Protocol {
        WireResponse ok(ObjectNode result);

        WireResponse error(String code, String message);
    }

    /** SQS JSON 1.0; an error's query-protocol code in {@code x-amzn-query-error}, which SDK v2 reads. */
    private static final class Json implements Protocol {
        @Override
        public WireResponse ok(ObjectNode result) {
            return new WireResponse(200, JSON_10, Map.of(), LocalJson.writeBytes(result));
        }

        @Override
        public WireResponse error(String code, String message) {
            ObjectNode error = LocalJson.MAPPER.createObjectNode();
            error.put("__type", "com.amazonaws.sqs#" + code);
            error.put("message", message);
            return new WireResponse(400, JSON_10, Map.of("x-amzn-query-error", queryCode(code) + ";Sender"),
                    LocalJson.writeBytes(error));
        }
    }

    /** The query protocol: {@code <ActionResponse><ActionResult>...</ActionResult><ResponseMetadata/>}. */
    private static final class Query implements Protocol {
        private final String action;

        Query(String action) {
            this.action = action;
        }

        @Override
        public WireResponse ok(ObjectNode result) {
            StringBuilder xml = new StringBuilder("<").append(action).append("Response xmlns=\"").append(NAMESPACE)
                    .append("\"><").append(action).append("Result>");
            result.fields().forEachRemaining(field -> writeField(xml, field.getKey(), field.getValue()));
            xml.append("</").append(action).append("Result><ResponseMetadata><RequestId>").append(UUID.randomUUID())
                    .append("</RequestId></ResponseMetadata></").append(action).append("Response>");
            return WireResponse.of(200, "text/xml", xml.toString());
        }

        /** Lists flattened (QueueUrls -> QueueUrl*, Messages -> Message*), maps as Name/Value entries. */
        private static void writeField(StringBuilder xml, String name, JsonNode value) {
            switch (name) {
                case "QueueUrls" -> value.forEach(url -> element(xml, "QueueUrl", url.asText()));
                case "Messages" -> value.forEach(message -> {
                    xml.append("<Message>");
                    message.fields().forEachRemaining(f -> writeField(xml, f.getKey(), f.getValue()));
                    xml.append("</Message>");
                });
                case "Attributes" -> value.fields().forEachRemaining(f -> {
                    xml.append("<Attribute>");
                    element(xml, "Name", f.getKey());
                    element(xml, "Value", f.getValue().asText());
                    xml.append("</Attribute>");
                });
                case "MessageAttributes" -> value.fields().forEachRemaining(f -> {
                    xml.append("<MessageAttribute>");
                    element(xml, "Name", f.getKey());
                    xml.append("<Value>");
                    element(xml, "StringValue", f.getValue().path("StringValue").asText());
                    element(xml, "DataType", f.getValue().path("DataType").asText());
                    xml.append("</Value></MessageAttribute>");
                });
                default -> element(xml, name, value.asText());
            }
        }

        private static void element(StringBuilder xml, String name, String text) {
            xml.append('<').append(name).append('>').append(SnsApi.xml(text)).append("</").append(name).append('>');
        }

        @Override
        public WireResponse error(String code, String message) {
            return WireResponse.of(400, "text/xml", "<ErrorResponse xmlns=\"" + NAMESPACE + "\"><Error><Type>Sender</Type><Code>"
                    + SnsApi.xml(queryCode(code)) + "</Code><Message>" + SnsApi.xml(message) + "</Message><Detail/></Error>"
                    + "<RequestId>" + UUID.randomUUID() + "</RequestId></ErrorResponse>");
        }
    }

    /** The query protocol's code of an error (the JSON protocol's shape name differs for a few). */
    static String queryCode(String code) {
        return switch (code) {
            case "QueueDoesNotExist" -> "AWS.SimpleQueueService.NonExistentQueue";
            default -> code;
        };
    }

    private static final class SqsError extends RuntimeException {
        final String code;

        SqsError(String code, String message) {
            super(message);
            this.code = code;
        }
    }
}
