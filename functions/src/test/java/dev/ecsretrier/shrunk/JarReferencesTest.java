package dev.ecsretrier.shrunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/** The reference check of {@link ShrunkLambdaJarIT}, on class files made for it. */
class JarReferencesTest {

    @Test
    void referencesToTheJarsOwnAndTheJdksMembersResolve_andOnlyTheMissingOnesAreReported() {
        Map<String, byte[]> classes = Map.of(
                "demo/Base", type("demo/Base", "java/lang/Object", new String[] {"java/lang/Runnable"}, "inherited", null),
                "demo/Target", type("demo/Target", "demo/Base", new String[0], "present", "count"),
                "demo/Caller", caller());

        assertThat(JarReferences.of(classes).unresolved()).containsExactlyInAnyOrder(
                "demo/Caller -> demo/Target.gone()V",
                "demo/Caller -> demo/Target.count:J",
                "demo/Caller -> class demo/Missing",
                "demo/Caller -> demo/Missing.call()V",
                "demo/Caller -> java/lang/String.noSuchMethod()I");
    }

    /** A copy of a class file without the methods of that name. */
    static byte[] withoutMethod(byte[] classFile, String method) {
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                                             String[] exceptions) {
                return name.equals(method) ? null : super.visitMethod(access, name, descriptor, signature, exceptions);
            }
        }, 0);
        return writer.toByteArray();
    }

    private static byte[] type(String name, String superName, String[] interfaces, String method, String intField) {
        ClassWriter writer = new ClassWriter(0);
        writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, name, null, superName, interfaces);
        if (intField != null) {
            writer.visitField(Opcodes.ACC_PUBLIC, intField, "I", null, null).visitEnd();
        }
        MethodVisitor m = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_ABSTRACT, method, "()V", null, null);
        m.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }

    /** Calls what exists (in the class, a superclass, an interface, the JDK) and what does not. */
    private static byte[] caller() {
        ClassWriter writer = new ClassWriter(0);
        writer.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "demo/Caller", null, "java/lang/Object", null);
        MethodVisitor m = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "run", "(Ldemo/Target;)V", null, null);
        m.visitCode();
        m.visitVarInsn(Opcodes.ALOAD, 0);
        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "demo/Target", "present", "()V", false);
        m.visitVarInsn(Opcodes.ALOAD, 0);
        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "demo/Target", "inherited", "()V", false);
        m.visitVarInsn(Opcodes.ALOAD, 0);
        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "demo/Target", "run", "()V", false);
        m.visitVarInsn(Opcodes.ALOAD, 0);
        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "demo/Target", "hashCode", "()I", false);
        m.visitInsn(Opcodes.POP);
        m.visitVarInsn(Opcodes.ALOAD, 0);
        m.visitFieldInsn(Opcodes.GETFIELD, "demo/Target", "count", "I");
        m.visitInsn(Opcodes.POP);
        m.visitVarInsn(Opcodes.ALOAD, 0);
        m.visitFieldInsn(Opcodes.GETFIELD, "demo/Target", "count", "J");
        m.visitInsn(Opcodes.POP2);
        m.visitVarInsn(Opcodes.ALOAD, 0);
        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "demo/Target", "gone", "()V", false);
        m.visitMethodInsn(Opcodes.INVOKESTATIC, "demo/Missing", "call", "()V", false);
        m.visitLdcInsn("text");
        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/String", "length", "()I", false);
        m.visitLdcInsn("text");
        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/String", "noSuchMethod", "()I", false);
        m.visitInsn(Opcodes.POP2);
        m.visitInsn(Opcodes.RETURN);
        m.visitMaxs(4, 1);
        m.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }
}
