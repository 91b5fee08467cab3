package dev.ecsretrier.local.serve;

import dev.ecsretrier.json.Json;
import dev.ecsretrier.local.logs.FilterPattern;
import dev.ecsretrier.local.logs.LocalLogs;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * CloudWatch Logs reads over the local log store, in Logs' JSON 1.1 protocol
 * ({@code X-Amz-Target: Logs_20140328.<Operation>}): {@code FilterLogEvents}, {@code GetLogEvents},
 * {@code DescribeLogGroups}, {@code DescribeLogStreams}; errors as Logs' modeled exceptions
 * (ResourceNotFoundException, InvalidParameterException).
 */
final class LogsApi implements AwsApi {

    static final String TARGET_PREFIX = "Logs_20140328.";
    static final String JSON_11 = "application/x-amz-json-1.1";
    /** https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html: limit 1 to 10,000. */
    static final int MAX_EVENTS = 10_000;
    /** https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeLogGroups.html: limit 1 to 50. */
    static final int MAX_DESCRIBED = 50;

    private final LocalLogs logs;
    private final String region;
    private final String account;
    private final Consumer<String> log;

    LogsApi(LocalLogs logs, String region, String account, Consumer<String> log) {
        this.logs = logs;
        this.region = region;
        this.account = account;
        this.log = log;
    }

    // The request bodies, the members the local log store reads, named as Logs spells them; the others
    // (interleaved, unmask, accountIdentifiers, ...) are skipped. https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/

    /** API_FilterLogEvents.html */
    record FilterLogEventsBody(String logGroupName, String logGroupIdentifier, List<String> logStreamNames,
                               String logStreamNamePrefix, Long startTime, Long endTime, String filterPattern,
                               String nextToken, Integer limit) {
    }

    /** API_GetLogEvents.html */
    record GetLogEventsBody(String logGroupName, String logGroupIdentifier, String logStreamName, Long startTime,
                            Long endTime, String nextToken, Integer limit, Boolean startFromHead) {
    }

    /** API_DescribeLogGroups.html */
    record DescribeLogGroupsBody(String logGroupNamePrefix, String nextToken, Integer limit) {
    }

    /** API_DescribeLogStreams.html */
    record DescribeLogStreamsBody(String logGroupName, String logGroupIdentifier, String logStreamNamePrefix,
                                  String orderBy, Boolean descending, String nextToken, Integer limit) {
    }

    // The answers, written by the functions' one writer: a null member is left out.

    /** API_FilteredLogEvent.html */
    record FilteredLogEvent(String logStreamName, long timestamp, String message, long ingestionTime, String eventId) {
    }

    record FilterLogEventsAnswer(List<FilteredLogEvent> events, String nextToken) {
    }

    /** API_OutputLogEvent.html */
    record OutputLogEvent(long timestamp, String message, long ingestionTime) {
    }

    record GetLogEventsAnswer(List<OutputLogEvent> events, String nextForwardToken, String nextBackwardToken) {
    }

    /** API_LogGroup.html */
    record LogGroup(String logGroupName, long creationTime, int metricFilterCount, String arn, String logGroupArn,
                    long storedBytes) {
    }

    record DescribeLogGroupsAnswer(List<LogGroup> logGroups, String nextToken) {
    }

    /** API_LogStream.html */
    record LogStream(String logStreamName, long creationTime, String arn, Long firstEventTimestamp,
                     Long lastEventTimestamp, Long lastIngestionTime) {
    }

    record DescribeLogStreamsAnswer(List<LogStream> logStreams, String nextToken) {
    }

    @Override
    public Optional<WireResponse> answer(WireRequest request) {
        return Json11Request.answerBody(request, TARGET_PREFIX, this::answer);
    }

    private WireResponse answer(String operation, byte[] body) {
        try {
            return switch (operation) {
                case "FilterLogEvents" -> filterLogEvents(WireBody.read(body, FilterLogEventsBody.class));
                case "GetLogEvents" -> getLogEvents(WireBody.read(body, GetLogEventsBody.class));
                case "DescribeLogGroups" -> describeLogGroups(WireBody.read(body, DescribeLogGroupsBody.class));
                case "DescribeLogStreams" -> describeLogStreams(WireBody.read(body, DescribeLogStreamsBody.class));
                default -> error(400, "UnknownOperationException", "CloudWatch Logs " + operation + " is not served locally;"
                        + " only FilterLogEvents, GetLogEvents, DescribeLogGroups and DescribeLogStreams");
            };
        } catch (WireBody.Refused e) {
            log.accept("logs " + operation + ": " + (e.notJson() ? "SerializationException: " : "InvalidParameterException: ")
                    + e.getMessage());
            return error(400, e.notJson() ? "SerializationException" : "InvalidParameterException", e.getMessage());
        } catch (InvalidParameter | FilterPattern.UnsupportedPatternException e) {
            log.accept("logs " + operation + ": InvalidParameterException: " + e.getMessage());
            return error(400, "InvalidParameterException", e.getMessage());
        } catch (GroupNotFound e) {
            log.accept("logs " + operation + ": ResourceNotFoundException: " + e.getMessage());
            return error(400, "ResourceNotFoundException", e.getMessage());
        }
    }

    /**
     * FilterLogEvents: a group's events in timestamp order, within [startTime, endTime] (epoch ms), of the
     * streams named or prefixed, matching the filter pattern ({@link FilterPattern}'s subset).
     */
    private WireResponse filterLogEvents(FilterLogEventsBody body) {
        String group = group(body.logGroupName(), body.logGroupIdentifier());
        Set<String> streams = body.logStreamNames() == null ? Set.of() : new java.util.HashSet<>(body.logStreamNames());
        String prefix = body.logStreamNamePrefix();
        if (!streams.isEmpty() && prefix != null) {
            throw new InvalidParameter("logStreamNames and logStreamNamePrefix cannot both be given");
        }
        FilterPattern pattern = FilterPattern.parse(body.filterPattern() == null ? "" : body.filterPattern());
        int limit = limit(body.limit(), MAX_EVENTS);
        int from = offset(body.nextToken());
        List<LocalLogs.LogEvent> matching = inTime(body.startTime(), body.endTime(), logs.events(group)).stream()
                .filter(e -> streams.isEmpty() || streams.contains(e.stream()))
                .filter(e -> prefix == null || e.stream().startsWith(prefix))
                .filter(e -> pattern.matches(e.message()))
                .toList();
        List<FilteredLogEvent> events = matching.stream().skip(from).limit(limit)
                .map(e -> new FilteredLogEvent(e.stream(), e.timestamp(), e.message(), e.ingestionTime(), e.eventId()))
                .toList();
        String next = from + limit < matching.size() ? PageToken.of(from + limit) : null;
        log.accept("logs filter-log-events " + group + ": " + events.size() + " of " + matching.size() + " events");
        return ok(new FilterLogEventsAnswer(events, next));
    }

    /**
     * GetLogEvents: one stream's events in timestamp order; from the head with {@code startFromHead},
     * else the last {@code limit}; {@code nextForwardToken} is the token given once the end is reached,
     * which is how clients know to stop.
     */
    private WireResponse getLogEvents(GetLogEventsBody body) {
        String group = group(body.logGroupName(), body.logGroupIdentifier());
        String stream = body.logStreamName() == null ? "" : body.logStreamName();
        if (logs.streams(group).stream().noneMatch(s -> s.name().equals(stream))) {
            throw new GroupNotFound("The specified log stream does not exist.");
        }
        int limit = limit(body.limit(), MAX_EVENTS);
        List<LocalLogs.LogEvent> inStream = inTime(body.startTime(), body.endTime(), logs.events(group)).stream()
                .filter(e -> e.stream().equals(stream)).toList();
        String token = body.nextToken() == null ? "" : body.nextToken();
        int start;
        int end;
        if (token.isEmpty()) {
            boolean fromHead = Boolean.TRUE.equals(body.startFromHead());
            start = fromHead ? 0 : Math.max(0, inStream.size() - limit);
            end = Math.min(inStream.size(), start + limit);
        } else if (token.matches("f/\\d{1,9}")) {
            start = Math.min(inStream.size(), Integer.parseInt(token.substring(2)));
            end = Math.min(inStream.size(), start + limit);
        } else if (token.matches("b/\\d{1,9}")) {
            end = Math.min(inStream.size(), Integer.parseInt(token.substring(2)));
            start = Math.max(0, end - limit);
        } else {
            throw new InvalidParameter("The specified nextToken is invalid.");
        }
        List<OutputLogEvent> events = inStream.subList(start, end).stream()
                .map(e -> new OutputLogEvent(e.timestamp(), e.message(), e.ingestionTime())).toList();
        log.accept("logs get-log-events " + group + " " + stream + ": " + events.size() + " events");
        return ok(new GetLogEventsAnswer(events, "f/" + end, "b/" + start));
    }

    private WireResponse describeLogGroups(DescribeLogGroupsBody body) {
        String prefix = body.logGroupNamePrefix();
        int limit = limit(body.limit(), MAX_DESCRIBED);
        int from = offset(body.nextToken());
        List<LocalLogs.Created> matching = logs.groups().stream()
                .filter(g -> prefix == null || g.name().startsWith(prefix)).toList();
        List<LogGroup> groups = matching.stream().skip(from).limit(limit)
                .map(g -> new LogGroup(g.name(), g.creationTime(), 0, groupArn(g.name()) + ":*", groupArn(g.name()),
                        logs.events(g.name()).stream().mapToLong(e -> e.message().length()).sum()))
                .toList();
        String next = from + limit < matching.size() ? PageToken.of(from + limit) : null;
        log.accept("logs describe-log-groups: " + groups.size() + " of " + matching.size());
        return ok(new DescribeLogGroupsAnswer(groups, next));
    }

    private WireResponse describeLogStreams(DescribeLogStreamsBody body) {
        String group = group(body.logGroupName(), body.logGroupIdentifier());
        String prefix = body.logStreamNamePrefix();
        boolean byLastEvent = "LastEventTime".equals(body.orderBy());
        if (byLastEvent && prefix != null) {
            throw new InvalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
        }
        int limit = limit(body.limit(), MAX_DESCRIBED);
        int from = offset(body.nextToken());
        List<LocalLogs.LogEvent> events = logs.events(group);
        List<LogStream> streams = new ArrayList<>();
        for (LocalLogs.Created stream : logs.streams(group)) {
            if (prefix != null && !stream.name().startsWith(prefix)) {
                continue;
            }
            List<LocalLogs.LogEvent> of = events.stream().filter(e -> e.stream().equals(stream.name())).toList();
            LocalLogs.LogEvent first = of.isEmpty() ? null : of.get(0);
            LocalLogs.LogEvent last = of.isEmpty() ? null : of.get(of.size() - 1);
            streams.add(new LogStream(stream.name(), stream.creationTime(),
                    groupArn(group) + ":log-stream:" + stream.name(), first == null ? null : first.timestamp(),
                    last == null ? null : last.timestamp(), last == null ? null : last.ingestionTime()));
        }
        Comparator<LogStream> order = byLastEvent
                ? Comparator.comparingLong(n -> n.lastEventTimestamp() == null ? 0 : n.lastEventTimestamp())
                : Comparator.comparing(LogStream::logStreamName);
        streams.sort(Boolean.TRUE.equals(body.descending()) ? order.reversed() : order);
        List<LogStream> page = streams.stream().skip(from).limit(limit).toList();
        String next = from + limit < streams.size() ? PageToken.of(from + limit) : null;
        log.accept("logs describe-log-streams " + group + ": " + page.size() + " of " + streams.size());
        return ok(new DescribeLogStreamsAnswer(page, next));
    }

    /** logGroupName, or logGroupIdentifier (a name or an ARN); the group must exist. */
    private String group(String name, String identifier) {
        if (name != null && identifier != null) {
            throw new InvalidParameter("logGroupName and logGroupIdentifier cannot both be given");
        }
        String group = name != null ? name : identifier;
        if (group == null || group.isEmpty()) {
            throw new InvalidParameter("logGroupName or logGroupIdentifier is required");
        }
        int arn = group.indexOf(":log-group:");
        if (group.startsWith("arn:") && arn > 0) {
            group = group.substring(arn + ":log-group:".length());
            if (group.endsWith(":*")) {
                group = group.substring(0, group.length() - 2);
            }
        }
        if (!logs.hasGroup(group)) {
            throw new GroupNotFound("The specified log group does not exist.");
        }
        return group;
    }

    private static List<LocalLogs.LogEvent> inTime(Long startTime, Long endTime, List<LocalLogs.LogEvent> events) {
        long start = startTime == null ? Long.MIN_VALUE : startTime;
        long end = endTime == null ? Long.MAX_VALUE : endTime;
        return events.stream().filter(e -> e.timestamp() >= start && e.timestamp() <= end)
                .sorted(Comparator.comparingLong(LocalLogs.LogEvent::timestamp)).toList();
    }

    private static int limit(Integer limit, int max) {
        if (limit == null) {
            return max;
        }
        if (limit < 1 || limit > max) {
            throw new InvalidParameter("limit must be between 1 and " + max + ", got " + limit);
        }
        return limit;
    }

    private static int offset(String nextToken) {
        return PageToken.offset(nextToken)
                .orElseThrow(() -> new InvalidParameter("The specified nextToken is invalid."));
    }

    private String groupArn(String group) {
        return "arn:aws:logs:" + region + ":" + account + ":log-group:" + group;
    }

    private static WireResponse ok(Record answer) {
        return new WireResponse(200, JSON_11, Map.of(), Json.writeBytes(answer));
    }

    static WireResponse error(int status, String type, String message) {
        return EcsApi.error(status, type, message);
    }

    private static final class InvalidParameter extends RuntimeException {
        InvalidParameter(String message) {
            super(message);
        }
    }

    private static final class GroupNotFound extends RuntimeException {
        GroupNotFound(String message) {
            super(message);
        }
    }
}
