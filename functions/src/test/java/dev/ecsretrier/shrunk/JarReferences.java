package dev.ecsretrier.shrunk;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Every symbolic reference in a jar's class files (JVMS 4.4: the constant pool's classes, fields,
 * methods and interface methods, and the classes their descriptors name), resolved as the JVM
 * would resolve them (JVMS 5.4.3), against the jar's own classes and the running JDK. The JVM
 * resolves lazily, so loading and initializing every class does not show a method that a kept
 * method body calls but the jar lacks; this does.
 */
final class JarReferences {

    /** What resolution needs of one class. */
    private record Shape(String name, String superName, List<String> interfaces, Set<String> methods,
                         Set<String> fields, boolean signaturePolymorphic) {
    }

    private final Map<String, byte[]> classes;
    private final Map<String, Optional<Shape>> shapes = new HashMap<>();

    private JarReferences(Map<String, byte[]> classes) {
        this.classes = classes;
    }

    static JarReferences of(Path jar) throws IOException {
        Map<String, byte[]> classes = new HashMap<>();
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            for (ZipEntry entry : zip.stream().toList()) {
                String name = entry.getName();
                if (name.endsWith(".class") && !name.startsWith("META-INF/") && !name.endsWith("module-info.class")) {
                    try (InputStream in = zip.getInputStream(entry)) {
                        classes.put(name.substring(0, name.length() - ".class".length()), in.readAllBytes());
                    }
                }
            }
        }
        return new JarReferences(classes);
    }

    static JarReferences of(Map<String, byte[]> classes) {
        return new JarReferences(Map.copyOf(classes));
    }

    int classCount() {
        return classes.size();
    }

    /** Every reference that does not resolve, as "{@code from -> owner.name descriptor}" (or "{@code -> class X}"). */
    Set<String> unresolved() {
        Set<String> unresolved = new TreeSet<>();
        char[] buffer = new char[1 << 16];
        for (Map.Entry<String, byte[]> entry : classes.entrySet()) {
            String from = entry.getKey();
            ClassReader reader = new ClassReader(entry.getValue());
            for (int i = 1; i < reader.getItemCount(); i++) {
                int offset = reader.getItem(i);
                if (offset == 0) {
                    continue; // the second slot of a long or a double
                }
                switch (reader.readByte(offset - 1)) {
                    case 7 -> classNamed(reader.readUTF8(offset, buffer))
                            .filter(name -> shape(name).isEmpty())
                            .ifPresent(name -> unresolved.add(from + " -> class " + name));
                    case 9, 10, 11 -> {
                        String owner = reader.readClass(offset, buffer);
                        int nameAndType = reader.getItem(reader.readUnsignedShort(offset + 2));
                        String name = reader.readUTF8(nameAndType, buffer);
                        String descriptor = reader.readUTF8(nameAndType + 2, buffer);
                        boolean field = reader.readByte(offset - 1) == 9;
                        String member = owner + "." + name + (field ? ":" : "") + descriptor;
                        if (!owner.startsWith("[") && !(field ? resolvesField(owner, name, descriptor)
                                : resolvesMethod(owner, name, descriptor))) {
                            unresolved.add(from + " -> " + member);
                        }
                        missingClassesOf(descriptor).forEach(c -> unresolved.add(from + " -> class " + c + " (in " + member + ")"));
                    }
                    case 16 -> missingClassesOf(reader.readUTF8(offset, buffer))
                            .forEach(c -> unresolved.add(from + " -> class " + c + " (in a method type)"));
                    default -> {
                    }
                }
            }
        }
        return unresolved;
    }

    /** The class a CONSTANT_Class names: an array's element class; none for an array of primitives. */
    private static Optional<String> classNamed(String internalName) {
        if (!internalName.startsWith("[")) {
            return Optional.of(internalName);
        }
        Type element = Type.getType(internalName).getElementType();
        return element.getSort() == Type.OBJECT ? Optional.of(element.getInternalName()) : Optional.empty();
    }

    private List<String> missingClassesOf(String descriptor) {
        List<Type> types = new ArrayList<>();
        if (descriptor.startsWith("(")) {
            types.addAll(List.of(Type.getArgumentTypes(descriptor)));
            types.add(Type.getReturnType(descriptor));
        } else {
            types.add(Type.getType(descriptor));
        }
        List<String> missing = new ArrayList<>();
        for (Type type : types) {
            Type element = type.getSort() == Type.ARRAY ? type.getElementType() : type;
            if (element.getSort() == Type.OBJECT && shape(element.getInternalName()).isEmpty()) {
                missing.add(element.getInternalName());
            }
        }
        return missing;
    }

    /** JVMS 5.4.3.3 and 5.4.3.4, leniently: the class, its superclasses and every superinterface. */
    private boolean resolvesMethod(String owner, String name, String descriptor) {
        for (Shape shape : hierarchy(owner)) {
            if (shape.methods().contains(name + descriptor)
                    || (shape.signaturePolymorphic() && shape.methods().contains(name + "(*)"))) {
                return true;
            }
        }
        return false;
    }

    /** JVMS 5.4.3.2: the class, its superinterfaces, its superclasses. */
    private boolean resolvesField(String owner, String name, String descriptor) {
        for (Shape shape : hierarchy(owner)) {
            if (shape.fields().contains(name + ":" + descriptor)) {
                return true;
            }
        }
        return false;
    }

    /** The class and all its supertypes that can be found (a missing one shows as a missing class). */
    private List<Shape> hierarchy(String owner) {
        List<Shape> found = new ArrayList<>();
        Deque<String> next = new ArrayDeque<>(List.of(owner));
        Set<String> seen = new HashSet<>();
        while (!next.isEmpty()) {
            String name = next.poll();
            if (!seen.add(name)) {
                continue;
            }
            shape(name).ifPresent(shape -> {
                found.add(shape);
                if (shape.superName() != null) {
                    next.add(shape.superName());
                }
                next.addAll(shape.interfaces());
            });
        }
        if (!seen.contains("java/lang/Object")) {
            shape("java/lang/Object").ifPresent(found::add); // interfaces resolve Object's public methods
        }
        return found;
    }

    /** A class of the jar, else of the JDK (never of the class path this test runs on). */
    private Optional<Shape> shape(String name) {
        return shapes.computeIfAbsent(name, n -> {
            byte[] bytes = classes.get(n);
            if (bytes == null) {
                try (InputStream in = ClassLoader.getPlatformClassLoader().getResourceAsStream(n + ".class")) {
                    bytes = in == null ? null : in.readAllBytes();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return bytes == null ? Optional.empty() : Optional.of(read(bytes));
        });
    }

    private static Shape read(byte[] bytes) {
        Set<String> methods = new HashSet<>();
        Set<String> fields = new HashSet<>();
        ClassReader reader = new ClassReader(bytes);
        String name = reader.getClassName();
        // MethodHandle.invoke and friends, VarHandle.get and friends (JVMS 2.9.3): any descriptor.
        boolean polymorphic = name.equals("java/lang/invoke/MethodHandle") || name.equals("java/lang/invoke/VarHandle");
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
                                             String[] exceptions) {
                methods.add(method + descriptor);
                if (polymorphic && (access & Opcodes.ACC_NATIVE) != 0 && (access & Opcodes.ACC_VARARGS) != 0) {
                    methods.add(method + "(*)");
                }
                return null;
            }

            @Override
            public FieldVisitor visitField(int access, String field, String descriptor, String signature, Object value) {
                fields.add(field + ":" + descriptor);
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return new Shape(name, reader.getSuperName(), List.of(reader.getInterfaces()), methods, fields, polymorphic);
    }
}
