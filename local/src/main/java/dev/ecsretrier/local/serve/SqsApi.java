package dev.ecsretrier.local.serve;

import dev.ecsretrier.json.JsonRecords;
import dev.ecsretrier.local.emulator.LocalSettings;
import dev.ecsretrier.local.sqs.LocalQueues;
import java.io.ByteArrayOutputStream;
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

    // The request bodies, the members the local queues read, named as SQS spells them; the others
    // (MessageDeduplicationId, ReceiveRequestAttemptId, ...) are skipped.
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/

    /** API_GetQueueUrl.html */
    record GetQueueUrlBody(String QueueName, String QueueOwnerAWSAccountId) {
    }

    /** API_ListQueues.html */
    record ListQueuesBody(String QueueNamePrefix, Integer MaxResults, String NextToken) {
    }

    /** API_SendMessage.html: MessageAttributes by name. */
    record SendMessageBody(String QueueUrl, String MessageBody, Integer DelaySeconds,
                           Map<String, MessageAttributeValue> MessageAttributes) {
    }

    /** API_MessageAttributeValue.html (a BinaryValue is base64 text in JSON). */
    record MessageAttributeValue(String StringValue, String BinaryValue, String DataType) {
    }

    /** API_ReceiveMessage.html: AttributeNames is the older name of MessageSystemAttributeNames. */
    record ReceiveMessageBody(String QueueUrl, Integer MaxNumberOfMessages, Integer VisibilityTimeout,
                              Integer WaitTimeSeconds, List<String> AttributeNames,
                              List<String> MessageSystemAttributeNames, List<String> MessageAttributeNames) {
    }

    /** API_DeleteMessage.html */
    record DeleteMessageBody(String QueueUrl, String ReceiptHandle) {
    }

    /** API_ChangeMessageVisibility.html */
    record ChangeMessageVisibilityBody(String QueueUrl, String ReceiptHandle, Integer VisibilityTimeout) {
    }

    /** API_GetQueueAttributes.html */
    record GetQueueAttributesBody(String QueueUrl, List<String> AttributeNames) {
    }

    // The answers: JSON 1.0 writes them with the functions' one writer (a null member left out), the query
    // protocol as XML from the same values.

    record GetQueueUrlResult(String QueueUrl) {
    }

    record ListQueuesResult(List<String> QueueUrls, String NextToken) {
    }

    record SendMessageResult(String MD5OfMessageBody, String MessageId, String MD5OfMessageAttributes) {
    }

    /** API_Message.html */
    record Message(String MessageId, String ReceiptHandle, String MD5OfBody, String Body, Map<String, String> Attributes,
                   String MD5OfMessageAttributes, Map<String, MessageAttributeValue> MessageAttributes) {
    }

    record ReceiveMessageResult(List<Message> Messages) {
    }

    record GetQueueAttributesResult(Map<String, String> Attributes) {
    }

    /** The answer of DeleteMessage and ChangeMessageVisibility: {@code {}}. */
    record NoResult() {
    }

    /** JSON 1.0's error shape, the shape's id in {@code __type}. */
    record ErrorAnswer(String __type, String message) {
    }

    /** The query protocol's parameters that are integers in the JSON protocol's shapes. */
    static final Set<String> INTEGER_PARAMETERS = Set.of("MaxResults", "MaxNumberOfMessages", "VisibilityTimeout",
            "WaitTimeSeconds", "DelaySeconds");

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
            byte[] json = request.body();
            return Optional.of(handle(target.get().substring(TARGET_PREFIX.length()),
                    new Body() {
                        @Override
                        public <T> T read(Class<T> shape) {
                            return WireBody.read(json, shape);
                        }
                    }, request, new Json()));
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
        Map<String, Object> plain = fromForm(parameters);
        return Optional.of(handle(action, new Body() {
            @Override
            public <T> T read(Class<T> shape) {
                return WireBody.bind(plain, shape);
            }
        }, request, new Query(action)));
    }

    /** A request's body in either protocol, read into the record of its shape. */
    private interface Body {
        /** @throws WireBody.Refused when a member does not fit {@code shape} */
        <T> T read(Class<T> shape);
    }

    private WireResponse handle(String operation, Body body, WireRequest request, Protocol protocol) {
        try {
            return switch (operation) {
                case "GetQueueUrl" -> getQueueUrl(body.read(GetQueueUrlBody.class), request, protocol);
                case "ListQueues" -> listQueues(body.read(ListQueuesBody.class), request, protocol);
                case "SendMessage" -> sendMessage(body.read(SendMessageBody.class), protocol);
                case "ReceiveMessage" -> receiveMessage(body.read(ReceiveMessageBody.class), protocol);
                case "DeleteMessage" -> deleteMessage(body.read(DeleteMessageBody.class), protocol);
                case "ChangeMessageVisibility" -> changeVisibility(body.read(ChangeMessageVisibilityBody.class), protocol);
                case "GetQueueAttributes" -> getQueueAttributes(body.read(GetQueueAttributesBody.class), protocol);
                default -> protocol.error("InvalidAction", "SQS " + operation + " is not served locally; only "
                        + String.join(", ", new java.util.TreeSet<>(ACTIONS)));
            };
        } catch (WireBody.Refused e) {
            log.accept("sqs " + operation + ": InvalidParameterValue: " + e.getMessage());
            return protocol.error("InvalidParameterValue", e.getMessage());
        } catch (SqsError e) {
            log.accept("sqs " + operation + ": " + e.code + ": " + e.getMessage());
            return protocol.error(e.code, e.getMessage());
        }
    }

    private WireResponse getQueueUrl(GetQueueUrlBody body, WireRequest request, Protocol protocol) {
        String name = body.QueueName() == null ? "" : body.QueueName();
        if (!queues.exists(name)) {
            throw new SqsError("QueueDoesNotExist", "The specified queue does not exist.");
        }
        log.accept("sqs get-queue-url " + name);
        return protocol.ok(new GetQueueUrlResult(url(request, name)));
    }

    private WireResponse listQueues(ListQueuesBody body, WireRequest request, Protocol protocol) {
        String prefix = body.QueueNamePrefix() == null ? "" : body.QueueNamePrefix();
        int max = body.MaxResults() == null ? MAX_LISTED : body.MaxResults();
        if (max < 1 || max > MAX_LISTED) {
            throw new SqsError("InvalidParameterValue", "MaxResults must be between 1 and " + MAX_LISTED);
        }
        int from = PageToken.offset(body.NextToken())
                .orElseThrow(() -> new SqsError("InvalidParameterValue", "Invalid NextToken value."));
        List<String> names = queues.names().stream().filter(n -> n.startsWith(prefix)).toList();
        List<String> urls = names.stream().skip(from).limit(max).map(n -> url(request, n)).toList();
        // Without MaxResults, ListQueues answers up to 1,000 and no token.
        String next = body.MaxResults() != null && from + max < names.size() ? PageToken.of(from + max) : null;
        log.accept("sqs list-queues: " + urls.size());
        return protocol.ok(new ListQueuesResult(urls, next));
    }

    private WireResponse sendMessage(SendMessageBody body, Protocol protocol) {
        String queue = queue(body.QueueUrl());
        String text = body.MessageBody() == null ? "" : body.MessageBody();
        if (text.isEmpty()) {
            throw new SqsError("MissingParameter", "The request must contain the parameter MessageBody.");
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_BODY_BYTES) {
            throw new SqsError("InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be"
                    + " shorter than " + MAX_BODY_BYTES + " bytes.");
        }
        int delay = bounded(body.DelaySeconds(), "DelaySeconds", 0, 0, MAX_DELAY_SECONDS);
        Map<String, LocalQueues.Attribute> attributes = new LinkedHashMap<>();
        if (body.MessageAttributes() != null) {
            body.MessageAttributes().forEach((name, value) -> {
                String type = value == null || value.DataType() == null ? "" : value.DataType();
                if (!type.startsWith("String") && !type.startsWith("Number")) {
                    throw new SqsError("InvalidParameterValue", "The message attribute '" + name
                            + "' must have a DataType of String or Number (Binary is not served locally).");
                }
                attributes.put(name, new LocalQueues.Attribute(type, value.StringValue() == null ? "" : value.StringValue()));
            });
        }
        String id = queues.send(queue, text, attributes, Duration.ofSeconds(delay));
        log.accept("sqs send-message " + queue + ": " + id);
        return protocol.ok(new SendMessageResult(md5(text.getBytes(StandardCharsets.UTF_8)), id,
                attributes.isEmpty() ? null : md5OfAttributes(attributes)));
    }

    private WireResponse receiveMessage(ReceiveMessageBody body, Protocol protocol) {
        String queue = queue(body.QueueUrl());
        int max = bounded(body.MaxNumberOfMessages(), "MaxNumberOfMessages", 1, 1, MAX_RECEIVED);
        int visibility = bounded(body.VisibilityTimeout(), "VisibilityTimeout",
                (int) LocalQueues.DEFAULT_VISIBILITY.toSeconds(), 0, MAX_VISIBILITY_SECONDS);
        int wait = bounded(body.WaitTimeSeconds(), "WaitTimeSeconds", 0, 0, MAX_WAIT_SECONDS);
        Set<String> system = new java.util.HashSet<>();
        if (body.AttributeNames() != null) {
            system.addAll(body.AttributeNames());
        }
        if (body.MessageSystemAttributeNames() != null) {
            system.addAll(body.MessageSystemAttributeNames());
        }
        List<String> wanted = body.MessageAttributeNames() == null ? List.of() : body.MessageAttributeNames();
        List<LocalQueues.Message> received;
        try {
            received = queues.receive(queue, max, Duration.ofSeconds(visibility), Duration.ofSeconds(wait));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            received = List.of();
        }
        List<Message> messages = new ArrayList<>();
        for (LocalQueues.Message m : received) {
            Map<String, String> attributes = new LinkedHashMap<>();
            attributes.put("SenderId", LocalSettings.ACCOUNT);
            attributes.put("SentTimestamp", Long.toString(m.sentTimestamp()));
            attributes.put("ApproximateReceiveCount", Integer.toString(m.receiveCount()));
            attributes.put("ApproximateFirstReceiveTimestamp", Long.toString(m.firstReceiveTimestamp()));
            attributes.keySet().removeIf(name -> !system.contains("All") && !system.contains(name));
            Map<String, LocalQueues.Attribute> selected = new TreeMap<>();
            m.attributes().forEach((name, value) -> {
                if (wanted.stream().anyMatch(w -> "All".equals(w) || ".*".equals(w) || name.equals(w)
                        || (w != null && w.endsWith(".*") && name.startsWith(w.substring(0, w.length() - 1))))) {
                    selected.put(name, value);
                }
            });
            Map<String, MessageAttributeValue> values = new LinkedHashMap<>();
            selected.forEach((name, value) -> values.put(name,
                    new MessageAttributeValue(value.stringValue(), null, value.dataType())));
            messages.add(new Message(m.messageId(), m.receiptHandle(), md5(m.body().getBytes(StandardCharsets.UTF_8)),
                    m.body(), attributes.isEmpty() ? null : attributes,
                    selected.isEmpty() ? null : md5OfAttributes(selected), values.isEmpty() ? null : values));
        }
        log.accept("sqs receive-message " + queue + ": " + received.size());
        return protocol.ok(new ReceiveMessageResult(messages));
    }

    private WireResponse deleteMessage(DeleteMessageBody body, Protocol protocol) {
        String queue = queue(body.QueueUrl());
        String handle = body.ReceiptHandle() == null ? "" : body.ReceiptHandle();
        if (!handle.contains("#")) {
            throw new SqsError("ReceiptHandleIsInvalid", "The input receipt handle \"" + handle + "\" is not a valid receipt handle.");
        }
        // A handle of ours whose message is gone (deleted already) is not an error, as in SQS.
        boolean deleted = queues.delete(queue, handle);
        log.accept("sqs delete-message " + queue + (deleted ? ": deleted" : ": was already deleted"));
        return protocol.ok(new NoResult());
    }

    private WireResponse changeVisibility(ChangeMessageVisibilityBody body, Protocol protocol) {
        String queue = queue(body.QueueUrl());
        String handle = body.ReceiptHandle() == null ? "" : body.ReceiptHandle();
        int visibility = bounded(body.VisibilityTimeout(), "VisibilityTimeout", 0, 0, MAX_VISIBILITY_SECONDS);
        if (!queues.changeVisibility(queue, handle, Duration.ofSeconds(visibility))) {
            throw new SqsError("ReceiptHandleIsInvalid", "The input receipt handle \"" + handle + "\" is not a valid receipt handle.");
        }
        return protocol.ok(new NoResult());
    }

    private WireResponse getQueueAttributes(GetQueueAttributesBody body, Protocol protocol) {
        String queue = queue(body.QueueUrl());
        Set<String> names = body.AttributeNames() == null ? Set.of() : new java.util.HashSet<>(body.AttributeNames());
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
        all.keySet().removeIf(name -> !names.contains("All") && !names.contains(name));
        return protocol.ok(new GetQueueAttributesResult(all.isEmpty() ? null : all));
    }

    /** The queue a QueueUrl names: its last path segment. */
    private String queue(String queueUrl) {
        String url = queueUrl == null ? "" : queueUrl;
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

    private static int bounded(Integer value, String field, int absent, int min, int max) {
        if (value == null) {
            return absent;
        }
        if (value < min || value > max) {
            throw new SqsError("InvalidParameterValue", "Value " + value + " for parameter " + field
                    + " is invalid. Reason: must be between " + min + " and " + max + ".");
        }
        return value;
    }

    /**
     * The query protocol's parameters as plain JSON in the JSON protocol's shape: lists from their
     * numbered members, message attributes by name, integers where the shape has one (text that is not
     * an integer stays text, for the binder to refuse with its name).
     */
    static Map<String, Object> fromForm(Map<String, String> parameters) {
        Map<String, Object> body = new LinkedHashMap<>();
        Map<String, Map<String, String>> attributes = new TreeMap<>();
        parameters.forEach((name, value) -> {
            if (name.matches("AttributeName\\.\\d+")) {
                list(body, "AttributeNames").add(value);
            } else if (name.matches("MessageSystemAttributeName\\.\\d+")) {
                list(body, "MessageSystemAttributeNames").add(value);
            } else if (name.matches("MessageAttributeName\\.\\d+")) {
                list(body, "MessageAttributeNames").add(value);
            } else if (name.matches("MessageAttribute\\.\\d+\\..+")) {
                String[] parts = name.split("\\.", 3);
                Map<String, String> attribute = attributes.computeIfAbsent(parts[1], n -> new LinkedHashMap<>());
                switch (parts[2]) {
                    case "Name" -> attribute.put("Name", value);
                    case "Value.DataType" -> attribute.put("DataType", value);
                    case "Value.StringValue" -> attribute.put("StringValue", value);
                    default -> { }
                }
            } else if (INTEGER_PARAMETERS.contains(name) && value.matches("-?\\d{1,9}")) {
                body.put(name, Integer.valueOf(value));
            } else if (!name.equals("Action") && !name.equals("Version")) {
                body.put(name, value);
            }
        });
        if (!attributes.isEmpty()) {
            Map<String, Object> values = new LinkedHashMap<>();
            attributes.values().forEach(a -> {
                Map<String, Object> value = new LinkedHashMap<>();
                value.put("DataType", a.getOrDefault("DataType", ""));
                value.put("StringValue", a.getOrDefault("StringValue", ""));
                values.put(a.getOrDefault("Name", ""), value);
            });
            body.put("MessageAttributes", values);
        }
        return body;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Map<String, Object> body, String name) {
        return (List<Object>) body.computeIfAbsent(name, n -> new ArrayList<>());
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
        WireResponse ok(Record result);

        WireResponse error(String code, String message);
    }

    /** SQS JSON 1.0; an error's query-protocol code in {@code x-amzn-query-error}, which SDK v2 reads. */
    private static final class Json implements Protocol {
        @Override
        public WireResponse ok(Record result) {
            return new WireResponse(200, JSON_10, Map.of(), dev.ecsretrier.json.Json.writeBytes(result));
        }

        @Override
        public WireResponse error(String code, String message) {
            return new WireResponse(400, JSON_10, Map.of("x-amzn-query-error", queryCode(code) + ";Sender"),
                    dev.ecsretrier.json.Json.writeBytes(new ErrorAnswer("com.amazonaws.sqs#" + code, message)));
        }
    }

    /** The query protocol: {@code <ActionResponse><ActionResult>...</ActionResult><ResponseMetadata/>}. */
    private static final class Query implements Protocol {
        private final String action;

        Query(String action) {
            this.action = action;
        }

        @Override
        public WireResponse ok(Record result) {
            StringBuilder xml = new StringBuilder("<").append(action).append("Response xmlns=\"").append(NAMESPACE)
                    .append("\"><").append(action).append("Result>");
            fields(JsonRecords.toPlain(result)).forEach((name, value) -> writeField(xml, name, value));
            xml.append("</").append(action).append("Result><ResponseMetadata><RequestId>").append(UUID.randomUUID())
                    .append("</RequestId></ResponseMetadata></").append(action).append("Response>");
            return WireResponse.of(200, "text/xml", xml.toString());
        }

        /** Lists flattened (QueueUrls -> QueueUrl*, Messages -> Message*), maps as Name/Value entries. */
        private static void writeField(StringBuilder xml, String name, Object value) {
            switch (name) {
                case "QueueUrls" -> ((List<?>) value).forEach(url -> element(xml, "QueueUrl", String.valueOf(url)));
                case "Messages" -> ((List<?>) value).forEach(message -> {
                    xml.append("<Message>");
                    fields(message).forEach((field, text) -> writeField(xml, field, text));
                    xml.append("</Message>");
                });
                case "Attributes" -> fields(value).forEach((attribute, text) -> {
                    xml.append("<Attribute>");
                    element(xml, "Name", attribute);
                    element(xml, "Value", String.valueOf(text));
                    xml.append("</Attribute>");
                });
                case "MessageAttributes" -> fields(value).forEach((attribute, typed) -> {
                    xml.append("<MessageAttribute>");
                    element(xml, "Name", attribute);
                    xml.append("<Value>");
                    element(xml, "StringValue", String.valueOf(fields(typed).get("StringValue")));
                    element(xml, "DataType", String.valueOf(fields(typed).get("DataType")));
                    xml.append("</Value></MessageAttribute>");
                });
                default -> element(xml, name, String.valueOf(value));
            }
        }

        /** A plain JSON object's members, as {@link JsonRecords#toPlain} writes a record. */
        @SuppressWarnings("unchecked")
        private static Map<String, Object> fields(Object plain) {
            return (Map<String, Object>) plain;
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
