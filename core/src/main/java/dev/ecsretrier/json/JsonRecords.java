package dev.ecsretrier.json;

import com.fasterxml.jackson.core.filter.TokenFilter;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAmount;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one JSON binder: records to and from plain JSON values, by their components; the record is
 * the schema, in both directions. Used for start requests, configuration and ECS events alike.
 * Reading checks every field the record has, so that a mistake is refused rather than guessed at:
 * a string where a number belongs, {@code 2.7} for an integer, {@code null} for a primitive or an
 * unknown enum name each fail with the field's path. An absent field is {@code null} (zero for a
 * primitive), as the record's constructor then decides. Fields the record does not have are
 * refused ({@link UnknownFields#REFUSED}, for what a caller writes) or skipped
 * ({@link UnknownFields#SKIPPED}, for AWS's events). A type whose JSON is another value (a
 * {@link JsonForm}) is written as that value and read back through its static {@code fromJson}.
 *
 * <p>On jackson-core and reflection only, not jackson-databind: see {@link Json}.
 */
public final class JsonRecords {

    /** What reading does with a field the record does not have. */
    public enum UnknownFields {
        /**
         * An error naming the field and the fields the record has: for start requests and
         * configuration, where an unknown field is a caller's mistake (a typo, a field that would be
         * ignored) rather than something to guess at.
         */
        REFUSED,
        /**
         * Skipped: for AWS's events. ECS "might add other event types, sources, and details in the
         * future", and asks code that de-serializes them to "handle unknown properties"
         * (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_cwe_events.html). The
         * fields the record has are still checked.
         */
        SKIPPED
    }

    private static final ClassValue<FormReader> FORM_READERS = new ClassValue<>() {
        @Override
        protected FormReader computeValue(Class<?> type) {
            for (Method method : type.getDeclaredMethods()) {
                if (method.getName().equals("fromJson") && Modifier.isStatic(method.getModifiers())
                        && method.getParameterCount() == 1 && type.isAssignableFrom(method.getReturnType())) {
                    method.setAccessible(true);
                    return new FormReader(method, reader(method.getGenericParameterTypes()[0]),
                            method.getParameterTypes()[0].getSimpleName());
                }
            }
            throw new IllegalStateException(type.getName() + " is a JsonForm without a static fromJson(form) to read it");
        }
    };

    /** A {@link JsonForm} type's {@code fromJson} and how its form is read. */
    private record FormReader(Method fromJson, Reader form, String formName) {
    }

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> type) {
            return Shape.of(type);
        }
    };

    private JsonRecords() {
    }

    /**
     * The plain value of {@code value}: a {@link JsonForm} the plain value of its form, a record a map
     * of its non-null components in declaration order, an enum its name, an instant or a duration its ISO-8601 text, a collection a
     * list; maps, strings, numbers and booleans stay as they are.
     */
    public static Object toPlain(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Enum<?> constant) {
            return constant.name();
        }
        if (value instanceof TemporalAccessor || value instanceof TemporalAmount) {
            return value.toString();
        }
        if (value instanceof JsonForm form) {
            return toPlain(form.toJson());
        }
        if (value instanceof Record record) {
            Map<String, Object> fields = new LinkedHashMap<>();
            for (Component component : SHAPES.get(record.getClass()).components) {
                Object field = component.get(record);
                if (field != null) {
                    fields.put(component.name(), toPlain(field));
                }
            }
            return fields;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> fields = new LinkedHashMap<>();
            map.forEach((k, v) -> fields.put(String.valueOf(k), toPlain(v)));
            return fields;
        }
        if (value instanceof Collection<?> items) {
            List<Object> list = new ArrayList<>(items.size());
            items.forEach(item -> list.add(toPlain(item)));
            return list;
        }
        throw new IllegalArgumentException("cannot write a " + value.getClass().getName()
                + " as JSON: not a record, collection, map, enum, time or scalar");
    }

    /**
     * Reads a plain value (as {@link Json#parse} returns it) into {@code type}: a record, a
     * {@code List} or {@code Set} of a supported type, a {@code Map} from {@code String} to one, {@code String}, {@code Integer}, {@code Long},
     * {@code Boolean} (or their primitives), an enum or {@code Instant}.
     *
     * Unknown fields are {@link UnknownFields#REFUSED}.
     *
     * @throws JsonBindingException naming the field that does not fit
     */
    public static <T> T fromPlain(Object plain, Class<T> type) {
        return fromPlain(plain, type, UnknownFields.REFUSED);
    }

    /**
     * As {@link #fromPlain(Object, Class)}, with unknown fields refused or skipped.
     *
     * @throws JsonBindingException naming the field that does not fit
     */
    public static <T> T fromPlain(Object plain, Class<T> type, UnknownFields unknown) {
        @SuppressWarnings("unchecked")
        T value = (T) read(plain, type, null, unknown);
        return value;
    }

    /** A list of {@code element}s, e.g. a setting that holds an array of records; unknown fields refused. */
    public static <T> List<T> listFromPlain(Object plain, Class<T> element) {
        @SuppressWarnings("unchecked")
        List<T> list = (List<T>) readList(plain, reader(element), null, UnknownFields.REFUSED);
        return list;
    }

    /** How a plain value is named in an error: {@code string 'abc'}, {@code number 2.7}, {@code an array}. */
    public static String describe(Object plain) {
        if (plain == null) {
            return "null";
        }
        if (plain instanceof String text) {
            return "string '" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'";
        }
        if (plain instanceof Number number) {
            return "number " + number;
        }
        if (plain instanceof Boolean bool) {
            return "boolean " + bool;
        }
        if (plain instanceof List<?>) {
            return "an array";
        }
        if (plain instanceof Map<?, ?>) {
            return "an object";
        }
        return plain.getClass().getSimpleName();
    }

    /**
     * How values of one declared type are read, decided once per type rather than per value: the
     * binder used to test each value's target type in turn ({@code isRecord}, {@code isEnum},
     * generic types, ~2 % of the warm path in a {@code -prof stack} profile, issue 12).
     */
    @FunctionalInterface
    private interface Reader {
        Object read(Object plain, Path path, UnknownFields unknown);
    }

    /**
     * Where a value is, as a chain built while reading and turned into text only for an error: the
     * warm path used to concatenate a path string for every field it read (issue 12).
     */
    private record Path(Path parent, String name, int index) {

        static Path field(Path parent, String name) {
            return new Path(parent, name, -1);
        }

        static Path element(Path parent, int index) {
            return new Path(parent, null, index);
        }

        static String text(Path path) {
            if (path == null) {
                return "";
            }
            String parent = text(path.parent);
            return path.name == null ? parent + "[" + path.index + "]" : JsonRecords.field(parent, path.name);
        }
    }

    private static final ClassValue<Reader> READERS = new ClassValue<>() {
        @Override
        protected Reader computeValue(Class<?> type) {
            return classReader(type);
        }
    };

    private static final ClassValue<RecordReader> RECORD_READERS = new ClassValue<>() {
        @Override
        protected RecordReader computeValue(Class<?> type) {
            return new RecordReader(SHAPES.get(type));
        }
    };

    private static Object read(Object plain, Type type, Path path, UnknownFields unknown) {
        return reader(type).read(plain, path, unknown);
    }

    private static Reader reader(Type type) {
        return type instanceof Class<?> target ? READERS.get(target) : genericReader(type);
    }

    /** A generic type's reader; what cannot be read fails when a value is read, as for a class. */
    private static Reader genericReader(Type type) {
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == List.class) {
            Reader element = reader(parameterized.getActualTypeArguments()[0]);
            return (plain, path, unknown) -> readList(plain, element, path, unknown);
        }
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == Set.class) {
            Reader element = reader(parameterized.getActualTypeArguments()[0]);
            return (plain, path, unknown) -> {
                List<Object> items = readList(plain, element, path, unknown);
                return items == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(items));
            };
        }
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == Map.class) {
            if (parameterized.getActualTypeArguments()[0] != String.class) {
                return unreadable("cannot read JSON into " + type + ": an object's keys are strings");
            }
            Reader value = reader(parameterized.getActualTypeArguments()[1]);
            return (plain, path, unknown) -> readMap(plain, value, path, unknown);
        }
        return unreadable("cannot read JSON into " + type);
    }

    private static Reader unreadable(String message) {
        return (plain, path, unknown) -> {
            throw new IllegalStateException(message);
        };
    }

    private static Reader classReader(Class<?> target) {
        Reader present = presentReader(target);
        boolean primitive = target.isPrimitive();
        return (plain, path, unknown) -> {
            if (plain == null) {
                if (primitive) {
                    throw binding(path, "must be " + expected(target) + ", got null");
                }
                return null;
            }
            return present.read(plain, path, unknown);
        };
    }

    /** Reads a value that is not null into {@code target}. */
    private static Reader presentReader(Class<?> target) {
        if (target == String.class) {
            return (plain, path, unknown) -> expect(plain instanceof String, plain, target, path);
        }
        if (target == Integer.class || target == int.class) {
            return (plain, path, unknown) -> expect(plain instanceof Integer, plain, target, path);
        }
        if (target == Long.class || target == long.class) {
            return (plain, path, unknown) -> plain instanceof Integer small ? Long.valueOf(small)
                    : expect(plain instanceof Long, plain, target, path);
        }
        if (target == Boolean.class || target == boolean.class) {
            return (plain, path, unknown) -> expect(plain instanceof Boolean, plain, target, path);
        }
        if (target == Instant.class) {
            return (plain, path, unknown) -> {
                expect(plain instanceof String, plain, target, path);
                try {
                    return UtcTimestamp.parse((String) plain);
                } catch (DateTimeParseException e) {
                    throw binding(path, "must be " + expected(target) + ", got " + describe(plain));
                }
            };
        }
        if (target.isEnum()) {
            // By name, looked up once: getEnumConstants() copies the constants on every call.
            Map<String, Object> constants = new HashMap<>();
            for (Object constant : target.getEnumConstants()) {
                constants.put(((Enum<?>) constant).name(), constant);
            }
            return (plain, path, unknown) -> {
                expect(plain instanceof String, plain, target, path);
                Object constant = constants.get(plain);
                if (constant == null) {
                    throw binding(path, "must be " + expected(target) + ", got " + describe(plain));
                }
                return constant;
            };
        }
        if (JsonForm.class.isAssignableFrom(target)) {
            return (plain, path, unknown) -> readForm(plain, target, path, unknown);
        }
        if (target.isRecord()) {
            return (plain, path, unknown) -> RECORD_READERS.get(target).read(plain, path, unknown);
        }
        if (target == Object.class) {
            return (plain, path, unknown) -> plain;
        }
        return unreadable("cannot read JSON into " + target.getName());
    }

    private static JsonBindingException binding(Path path, String problem) {
        return new JsonBindingException(Path.text(path), problem);
    }

    /**
     * A {@link JsonForm} type: its form read as any other value, then turned into the type by its
     * {@code fromJson}; what that refuses is an error at this path (or below it, for a
     * {@link JsonBindingException} naming a field of the form).
     */
    private static Object readForm(Object plain, Class<?> type, Path path, UnknownFields unknown) {
        FormReader reader = FORM_READERS.get(type);
        Object form;
        try {
            form = reader.form().read(plain, path, unknown);
        } catch (JsonBindingException e) {
            // A field the form does not have is one the type does not have: name the type, not its form.
            String ofForm = "is not a field of " + reader.formName();
            throw e.problem().equals(ofForm)
                    ? new JsonBindingException(e.path(), "is not a field of " + type.getSimpleName(), e.knownFields())
                    : e;
        }
        try {
            return reader.fromJson().invoke(null, form);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof JsonBindingException inner) {
                throw new JsonBindingException(Path.text(Path.field(path, inner.path())), inner.problem(),
                        inner.knownFields());
            }
            if (e.getCause() instanceof IllegalArgumentException refused) {
                throw binding(path, "is not a valid " + type.getSimpleName() + ": " + refused.getMessage());
            }
            throw new IllegalStateException("cannot read " + type.getName(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read " + type.getName(), e);
        }
    }

    private static List<Object> readList(Object plain, Reader element, Path path, UnknownFields unknown) {
        if (plain == null) {
            return null;
        }
        if (!(plain instanceof List<?> items)) {
            throw binding(path, "must be an array, got " + describe(plain));
        }
        List<Object> list = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            list.add(element.read(items.get(i), Path.element(path, i), unknown));
        }
        return list;
    }

    /**
     * An object whose keys are names the record does not fix (SQS's message attributes by name): each
     * value read as {@code value}, at the path {@code field.key}; the keys keep their order.
     */
    private static Map<String, Object> readMap(Object plain, Reader value, Path path, UnknownFields unknown) {
        if (plain == null) {
            return null;
        }
        if (!(plain instanceof Map<?, ?> fields)) {
            throw binding(path, "must be an object, got " + describe(plain));
        }
        Map<String, Object> map = new LinkedHashMap<>();
        fields.forEach((key, item) -> map.put(String.valueOf(key),
                value.read(item, Path.field(path, String.valueOf(key)), unknown)));
        return Collections.unmodifiableMap(map);
    }

    /** A record class read: its components' names and readers, looked up once per class. */
    private static final class RecordReader {

        private final Shape shape;
        private final String[] names;
        private final Class<?>[] types;
        private final Reader[] readers;
        private final Set<String> known;

        RecordReader(Shape shape) {
            this.shape = shape;
            int size = shape.components.size();
            names = new String[size];
            types = new Class<?>[size];
            readers = new Reader[size];
            for (int i = 0; i < size; i++) {
                RecordComponent part = shape.components.get(i).part();
                names[i] = part.getName();
                types[i] = part.getType();
                readers[i] = reader(part.getGenericType());
            }
            known = new HashSet<>(Arrays.asList(names));
        }

        Object read(Object plain, Path path, UnknownFields unknown) {
            if (!(plain instanceof Map<?, ?> fields)) {
                throw binding(path, "must be an object, got " + describe(plain));
            }
            if (unknown == UnknownFields.REFUSED) {
                for (Object name : fields.keySet()) {
                    if (!known.contains(name)) {
                        throw new JsonBindingException(Path.text(Path.field(path, String.valueOf(name))),
                                "is not a field of " + shape.type.getSimpleName(), shape.names());
                    }
                }
            }
            Object[] args = new Object[names.length];
            for (int i = 0; i < args.length; i++) {
                Object field = fields.get(names[i]);
                args[i] = field != null || fields.containsKey(names[i])
                        ? readers[i].read(field, Path.field(path, names[i]), unknown)
                        : absent(types[i]);
            }
            return shape.construct(args, path);
        }
    }

    /**
     * What reading {@code type} with unknown fields {@link UnknownFields#SKIPPED} looks at, as a
     * jackson-core token filter for {@link Json#parseReadBy}: in a record, the fields it has (and in
     * each, what its type reads); in a list, every element; in a map, every value; in a scalar or a
     * {@link JsonForm}, everything. What it leaves out the binder would skip anyway.
     */
    static TokenFilter fieldsReadBy(Type type) {
        if (type instanceof Class<?> target) {
            return FIELD_FILTERS.get(target);
        }
        if (type instanceof ParameterizedType parameterized) {
            Type[] arguments = parameterized.getActualTypeArguments();
            if (parameterized.getRawType() == List.class || parameterized.getRawType() == Set.class) {
                return new ReadFields(null, fieldsReadBy(arguments[0]));
            }
            if (parameterized.getRawType() == Map.class) {
                return new ReadFields(fieldsReadBy(arguments[1]), null);
            }
        }
        return TokenFilter.INCLUDE_ALL;
    }

    private static final ClassValue<TokenFilter> FIELD_FILTERS = new ClassValue<>() {
        @Override
        protected TokenFilter computeValue(Class<?> type) {
            return type.isRecord() && !JsonForm.class.isAssignableFrom(type)
                    ? new RecordFields(type) : TokenFilter.INCLUDE_ALL;
        }
    };

    /**
     * A list's elements ({@code element}) or a map's values ({@code value}): a value of the other
     * shape is kept, emptied, so that the binder still names what it got ("an object").
     */
    private static final class ReadFields extends TokenFilter {

        private final TokenFilter value;
        private final TokenFilter element;

        ReadFields(TokenFilter value, TokenFilter element) {
            this.value = value;
            this.element = element;
        }

        @Override
        public TokenFilter includeProperty(String name) {
            return value;
        }

        @Override
        public TokenFilter includeElement(int index) {
            return element;
        }

        @Override
        public boolean includeEmptyObject(boolean contentsFiltered) {
            return true;
        }

        @Override
        public boolean includeEmptyArray(boolean contentsFiltered) {
            return true;
        }
    }

    /** A record's fields, each with what its type reads; looked up on first use (a record may contain itself). */
    private static final class RecordFields extends TokenFilter {

        private final Class<?> type;
        private volatile Map<String, TokenFilter> fields;

        RecordFields(Class<?> type) {
            this.type = type;
        }

        @Override
        public TokenFilter includeProperty(String name) {
            Map<String, TokenFilter> known = fields;
            if (known == null) {
                known = new HashMap<>();
                for (RecordComponent part : type.getRecordComponents()) {
                    known.put(part.getName(), fieldsReadBy(part.getGenericType()));
                }
                fields = known;
            }
            return known.get(name);
        }

        @Override
        public TokenFilter includeElement(int index) {
            return null;
        }

        @Override
        public boolean includeEmptyObject(boolean contentsFiltered) {
            return true;
        }

        @Override
        public boolean includeEmptyArray(boolean contentsFiltered) {
            return true;
        }
    }

    private static Object expect(boolean fits, Object plain, Class<?> target, Path path) {
        if (!fits) {
            throw binding(path, "must be " + expected(target) + ", got " + describe(plain));
        }
        return plain;
    }

    private static String expected(Class<?> target) {
        if (target == String.class) {
            return "a string";
        }
        if (target == Integer.class || target == int.class || target == Long.class || target == long.class) {
            return "an integer";
        }
        if (target == Boolean.class || target == boolean.class) {
            return "true or false";
        }
        if (target == Instant.class) {
            return "an ISO-8601 UTC timestamp";
        }
        if (target.isEnum()) {
            return "one of " + Arrays.toString(target.getEnumConstants());
        }
        return "an object";
    }

    private static Object absent(Class<?> type) {
        if (type == int.class) {
            return 0;
        }
        if (type == long.class) {
            return 0L;
        }
        if (type == boolean.class) {
            return false;
        }
        if (type.isPrimitive()) {
            throw new IllegalStateException("cannot read JSON into " + type);
        }
        return null;
    }

    private static String field(String path, String name) {
        return path.isEmpty() ? name : name.isEmpty() ? path : path + "." + name;
    }

    /**
     * A record component with its accessor, made accessible once. The generic type is looked up only
     * when reading: writing needs none.
     */
    private record Component(RecordComponent part, Method accessor) {

        String name() {
            return part.getName();
        }

        Object get(Record record) {
            try {
                return accessor.invoke(record);
            } catch (IllegalAccessException | InvocationTargetException e) {
                throw new IllegalStateException("cannot read " + record.getClass().getSimpleName() + "." + name(), e);
            }
        }
    }

    /** A record class's components and canonical constructor, looked up once per class. */
    private record Shape(Class<?> type, List<Component> components, Constructor<?> constructor) {

        static Shape of(Class<?> type) {
            if (!type.isRecord()) {
                throw new IllegalArgumentException(type.getName() + " is not a record");
            }
            RecordComponent[] parts = type.getRecordComponents();
            List<Component> components = new ArrayList<>(parts.length);
            Class<?>[] types = new Class<?>[parts.length];
            for (int i = 0; i < parts.length; i++) {
                Method accessor = parts[i].getAccessor();
                accessor.setAccessible(true);
                components.add(new Component(parts[i], accessor));
                types[i] = parts[i].getType();
            }
            try {
                Constructor<?> constructor = type.getDeclaredConstructor(types);
                constructor.setAccessible(true);
                return new Shape(type, List.copyOf(components), constructor);
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(type.getName() + " has no canonical constructor", e);
            }
        }

        List<String> names() {
            return components.stream().map(Component::name).toList();
        }

        Object construct(Object[] args, Path path) {
            try {
                return constructor.newInstance(args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                throw binding(path, "is not a valid " + type.getSimpleName() + ": "
                        + (cause instanceof NullPointerException && cause.getMessage() != null
                        ? cause.getMessage() + " is missing" : String.valueOf(cause.getMessage())));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot build " + type.getName(), e);
            }
        }
    }
}
