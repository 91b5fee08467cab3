package dev.ecsretrier.json;

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

    private static final ClassValue<Method> FORM_READERS = new ClassValue<>() {
        @Override
        protected Method computeValue(Class<?> type) {
            for (Method method : type.getDeclaredMethods()) {
                if (method.getName().equals("fromJson") && Modifier.isStatic(method.getModifiers())
                        && method.getParameterCount() == 1 && type.isAssignableFrom(method.getReturnType())) {
                    method.setAccessible(true);
                    return method;
                }
            }
            throw new IllegalStateException(type.getName() + " is a JsonForm without a static fromJson(form) to read it");
        }
    };

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
        T value = (T) read(plain, type, "", unknown);
        return value;
    }

    /** A list of {@code element}s, e.g. a setting that holds an array of records; unknown fields refused. */
    public static <T> List<T> listFromPlain(Object plain, Class<T> element) {
        @SuppressWarnings("unchecked")
        List<T> list = (List<T>) readList(plain, element, "", UnknownFields.REFUSED);
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

    private static Object read(Object plain, Type type, String path, UnknownFields unknown) {
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == List.class) {
            return readList(plain, parameterized.getActualTypeArguments()[0], path, unknown);
        }
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == Set.class) {
            List<Object> items = readList(plain, parameterized.getActualTypeArguments()[0], path, unknown);
            return items == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(items));
        }
        if (type instanceof ParameterizedType parameterized && parameterized.getRawType() == Map.class) {
            if (parameterized.getActualTypeArguments()[0] != String.class) {
                throw new IllegalStateException("cannot read JSON into " + type + ": an object's keys are strings");
            }
            return readMap(plain, parameterized.getActualTypeArguments()[1], path, unknown);
        }
        if (!(type instanceof Class<?> target)) {
            throw new IllegalStateException("cannot read JSON into " + type);
        }
        if (plain == null) {
            if (target.isPrimitive()) {
                throw new JsonBindingException(path, "must be " + expected(target) + ", got null");
            }
            return null;
        }
        if (target == String.class) {
            return expect(plain instanceof String, plain, target, path);
        }
        if (target == Integer.class || target == int.class) {
            return expect(plain instanceof Integer, plain, target, path);
        }
        if (target == Long.class || target == long.class) {
            return plain instanceof Integer small ? Long.valueOf(small) : expect(plain instanceof Long, plain, target, path);
        }
        if (target == Boolean.class || target == boolean.class) {
            return expect(plain instanceof Boolean, plain, target, path);
        }
        if (target == Instant.class) {
            expect(plain instanceof String, plain, target, path);
            try {
                return Instant.parse((String) plain);
            } catch (DateTimeParseException e) {
                throw new JsonBindingException(path, "must be " + expected(target) + ", got " + describe(plain));
            }
        }
        if (target.isEnum()) {
            expect(plain instanceof String, plain, target, path);
            for (Object constant : target.getEnumConstants()) {
                if (((Enum<?>) constant).name().equals(plain)) {
                    return constant;
                }
            }
            throw new JsonBindingException(path, "must be " + expected(target) + ", got " + describe(plain));
        }
        if (JsonForm.class.isAssignableFrom(target)) {
            return readForm(plain, target, path, unknown);
        }
        if (target.isRecord()) {
            return readRecord(plain, target, path, unknown);
        }
        if (target == Object.class) {
            return plain;
        }
        throw new IllegalStateException("cannot read JSON into " + target.getName());
    }

    /**
     * A {@link JsonForm} type: its form read as any other value, then turned into the type by its
     * {@code fromJson}; what that refuses is an error at this path (or below it, for a
     * {@link JsonBindingException} naming a field of the form).
     */
    private static Object readForm(Object plain, Class<?> type, String path, UnknownFields unknown) {
        Method reader = FORM_READERS.get(type);
        Object form;
        try {
            form = read(plain, reader.getGenericParameterTypes()[0], path, unknown);
        } catch (JsonBindingException e) {
            // A field the form does not have is one the type does not have: name the type, not its form.
            String ofForm = "is not a field of " + reader.getParameterTypes()[0].getSimpleName();
            throw e.problem().equals(ofForm)
                    ? new JsonBindingException(e.path(), "is not a field of " + type.getSimpleName(), e.knownFields())
                    : e;
        }
        try {
            return reader.invoke(null, form);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof JsonBindingException inner) {
                throw new JsonBindingException(field(path, inner.path()), inner.problem(), inner.knownFields());
            }
            if (e.getCause() instanceof IllegalArgumentException refused) {
                throw new JsonBindingException(path, "is not a valid " + type.getSimpleName() + ": "
                        + refused.getMessage());
            }
            throw new IllegalStateException("cannot read " + type.getName(), e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read " + type.getName(), e);
        }
    }

    private static List<Object> readList(Object plain, Type element, String path, UnknownFields unknown) {
        if (plain == null) {
            return null;
        }
        if (!(plain instanceof List<?> items)) {
            throw new JsonBindingException(path, "must be an array, got " + describe(plain));
        }
        List<Object> list = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            list.add(read(items.get(i), element, path + "[" + i + "]", unknown));
        }
        return list;
    }

    /**
     * An object whose keys are names the record does not fix (SQS's message attributes by name): each
     * value read as {@code value}, at the path {@code field.key}; the keys keep their order.
     */
    private static Map<String, Object> readMap(Object plain, Type value, String path, UnknownFields unknown) {
        if (plain == null) {
            return null;
        }
        if (!(plain instanceof Map<?, ?> fields)) {
            throw new JsonBindingException(path, "must be an object, got " + describe(plain));
        }
        Map<String, Object> map = new LinkedHashMap<>();
        fields.forEach((key, item) -> map.put(String.valueOf(key),
                read(item, value, field(path, String.valueOf(key)), unknown)));
        return Collections.unmodifiableMap(map);
    }

    private static Object readRecord(Object plain, Class<?> type, String path, UnknownFields unknown) {
        if (!(plain instanceof Map<?, ?> fields)) {
            throw new JsonBindingException(path, "must be an object, got " + describe(plain));
        }
        Shape shape = SHAPES.get(type);
        if (unknown == UnknownFields.REFUSED) {
            for (Object name : fields.keySet()) {
                if (shape.component(name) == null) {
                    throw new JsonBindingException(field(path, String.valueOf(name)), "is not a field of "
                            + type.getSimpleName(), shape.names());
                }
            }
        }
        Object[] args = new Object[shape.components.size()];
        for (int i = 0; i < args.length; i++) {
            Component component = shape.components.get(i);
            String name = component.name();
            args[i] = fields.containsKey(name)
                    ? read(fields.get(name), component.part().getGenericType(), field(path, name), unknown)
                    : absent(component.part().getType());
        }
        return shape.construct(args, path);
    }

    private static Object expect(boolean fits, Object plain, Class<?> target, String path) {
        if (!fits) {
            throw new JsonBindingException(path, "must be " + expected(target) + ", got " + describe(plain));
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

        Component component(Object name) {
            for (Component component : components) {
                if (component.name().equals(name)) {
                    return component;
                }
            }
            return null;
        }

        List<String> names() {
            return components.stream().map(Component::name).toList();
        }

        Object construct(Object[] args, String path) {
            try {
                return constructor.newInstance(args);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getCause();
                throw new JsonBindingException(path, "is not a valid " + type.getSimpleName() + ": "
                        + (cause instanceof NullPointerException && cause.getMessage() != null
                        ? cause.getMessage() + " is missing" : String.valueOf(cause.getMessage())));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot build " + type.getName(), e);
            }
        }
    }
}
