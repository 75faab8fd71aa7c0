package dev.pedigree.format.pytorch;

import dev.pedigree.model.DType;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The globals a PyTorch checkpoint may name (mirrors torch's {@code weights_only} unpickler).
 * Everything else is refused at the GLOBAL opcode, before anything could refer to it. A resolved
 * global is only a tag: {@link RestrictedUnpickler} interprets calls to it as inert records.
 */
public enum PickleGlobal {
    ORDERED_DICT,
    REBUILD_TENSOR_V2,
    REBUILD_TENSOR_V3,
    REBUILD_PARAMETER,
    REBUILD_PARAMETER_WITH_STATE,
    REBUILD_FROM_TYPE_V2,
    /** {@code torch.nn.parameter.Parameter}: as a type argument or called with a tensor. */
    PARAMETER,
    /** {@code torch.Tensor}: only as the type argument of {@code _rebuild_from_type_v2}. */
    TENSOR,
    /** A typed storage class ({@code torch.FloatStorage}); {@link PickleValue.Global#dtype()} says which. */
    STORAGE_TYPE,
    UNTYPED_STORAGE,
    /** A dtype such as {@code torch.float16}. */
    DTYPE,
    SIZE,
    DEVICE,
    CODECS_ENCODE,
    SET,
    /**
     * A global outside the allowlist that is not on the deny-list, met by a safety scan of a file beside the weights
     * ({@link RestrictedUnpickler#scanOnly}): recorded and carried along as an opaque value, never by a load of
     * weights, which refuses it.
     */
    FOREIGN;

    /** How a refused (or accepted) global is reported, following picklescan's categories. */
    public enum Safety {
        /** On the allowlist. */
        INNOCUOUS,
        /** On the deny-list of known code-execution or I/O gadgets. */
        DANGEROUS,
        /** Neither: refused all the same, since safety comes from the allowlist. */
        SUSPICIOUS;

        /** Lower-case name used in messages and reports. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final Map<String, DType> STORAGE_CLASSES = Map.ofEntries(
            Map.entry("FloatStorage", DType.F32),
            Map.entry("DoubleStorage", DType.F64),
            Map.entry("HalfStorage", DType.F16),
            Map.entry("BFloat16Storage", DType.BF16),
            Map.entry("LongStorage", DType.I64),
            Map.entry("IntStorage", DType.I32),
            Map.entry("ShortStorage", DType.I16),
            Map.entry("CharStorage", DType.I8),
            Map.entry("ByteStorage", DType.U8),
            Map.entry("BoolStorage", DType.BOOL),
            Map.entry("ComplexFloatStorage", DType.C64),
            Map.entry("ComplexDoubleStorage", DType.C128),
            Map.entry("QInt8Storage", DType.I8),
            Map.entry("QUInt8Storage", DType.U8),
            Map.entry("QInt32Storage", DType.I32),
            Map.entry("QUInt4x2Storage", DType.U8),
            Map.entry("QUInt2x4Storage", DType.U8));

    private static final Map<String, DType> DTYPES = Map.ofEntries(
            Map.entry("float32", DType.F32),
            Map.entry("float", DType.F32),
            Map.entry("float64", DType.F64),
            Map.entry("double", DType.F64),
            Map.entry("float16", DType.F16),
            Map.entry("half", DType.F16),
            Map.entry("bfloat16", DType.BF16),
            Map.entry("int64", DType.I64),
            Map.entry("long", DType.I64),
            Map.entry("int32", DType.I32),
            Map.entry("int", DType.I32),
            Map.entry("int16", DType.I16),
            Map.entry("short", DType.I16),
            Map.entry("int8", DType.I8),
            Map.entry("uint8", DType.U8),
            Map.entry("uint16", DType.U16),
            Map.entry("uint32", DType.U32),
            Map.entry("uint64", DType.U64),
            Map.entry("bool", DType.BOOL),
            Map.entry("complex64", DType.C64),
            Map.entry("cfloat", DType.C64),
            Map.entry("complex128", DType.C128),
            Map.entry("cdouble", DType.C128),
            Map.entry("float8_e4m3fn", DType.F8_E4M3),
            Map.entry("float8_e5m2", DType.F8_E5M2),
            Map.entry("float8_e4m3fnuz", DType.F8_E4M3FNUZ),
            Map.entry("float8_e5m2fnuz", DType.F8_E5M2FNUZ),
            Map.entry("float8_e8m0fnu", DType.F8_E8M0),
            Map.entry("qint8", DType.I8),
            Map.entry("quint8", DType.U8),
            Map.entry("qint32", DType.I32));

    /** Whole modules that picklescan calls dangerous. */
    private static final Set<String> DANGEROUS_MODULES = Set.of(
            "os",
            "posix",
            "nt",
            "subprocess",
            "sys",
            "socket",
            "runpy",
            "shutil",
            "pty",
            "pickle",
            "_pickle",
            "importlib",
            "webbrowser",
            "ctypes",
            "code",
            "commands",
            "httplib",
            "http.client",
            "requests",
            "aiohttp",
            "urllib",
            "urllib.request",
            "ftplib",
            "smtplib",
            "telnetlib",
            "asyncio",
            "bdb",
            "pdb",
            "timeit",
            "multiprocessing",
            "threading",
            "marshal",
            "dill",
            "cloudpickle",
            "joblib",
            "torch.hub",
            "pip",
            "venv",
            "tempfile",
            "glob",
            "platform",
            "signal",
            "zipimport",
            "types");

    /** Individual globals that picklescan calls dangerous. */
    private static final Set<String> DANGEROUS_GLOBALS = Set.of(
            "builtins.eval",
            "builtins.exec",
            "builtins.execfile",
            "builtins.compile",
            "builtins.getattr",
            "builtins.setattr",
            "builtins.delattr",
            "builtins.open",
            "builtins.__import__",
            "builtins.apply",
            "builtins.globals",
            "builtins.locals",
            "builtins.breakpoint",
            "builtins.input",
            "builtins.vars",
            "builtins.memoryview",
            "builtins.type",
            "builtins.object",
            "__builtin__.eval",
            "__builtin__.exec",
            "__builtin__.execfile",
            "__builtin__.compile",
            "__builtin__.getattr",
            "__builtin__.setattr",
            "__builtin__.open",
            "__builtin__.__import__",
            "__builtin__.apply",
            "__builtin__.file",
            "functools.partial",
            "functools.reduce",
            "operator.attrgetter",
            "operator.itemgetter",
            "operator.methodcaller",
            "torch.serialization.load",
            "torch.load",
            "torch._C._jit_compile",
            "torch.jit.load",
            "torch._inductor.codecache.compile_file",
            "numpy.load",
            "numpy.testing._private.utils.runstring",
            "copyreg._reconstructor",
            "copy_reg._reconstructor",
            "collections.defaultdict",
            "_codecs.decode",
            "codecs.open",
            "io.open",
            "io.FileIO");

    private PickleGlobal() {}

    /** Resolves {@code module.name} against the allowlist; empty means refuse. */
    public static Optional<PickleValue.Global> resolve(String module, String name) {
        PickleGlobal kind = null;
        DType dtype = null;
        switch (module) {
            case "collections" -> kind = name.equals("OrderedDict") ? ORDERED_DICT : null;
            case "torch._utils" ->
                kind = switch (name) {
                    case "_rebuild_tensor_v2" -> REBUILD_TENSOR_V2;
                    case "_rebuild_tensor_v3" -> REBUILD_TENSOR_V3;
                    case "_rebuild_parameter" -> REBUILD_PARAMETER;
                    case "_rebuild_parameter_with_state" -> REBUILD_PARAMETER_WITH_STATE;
                    default -> null;
                };
            case "torch._tensor" -> kind = name.equals("_rebuild_from_type_v2") ? REBUILD_FROM_TYPE_V2 : null;
            case "torch.nn.parameter" -> kind = name.equals("Parameter") ? PARAMETER : null;
            case "torch" -> {
                if (STORAGE_CLASSES.containsKey(name)) {
                    kind = STORAGE_TYPE;
                    dtype = STORAGE_CLASSES.get(name);
                } else if (DTYPES.containsKey(name)) {
                    kind = DTYPE;
                    dtype = DTYPES.get(name);
                } else {
                    kind = switch (name) {
                        case "UntypedStorage" -> UNTYPED_STORAGE;
                        case "Size" -> SIZE;
                        case "device" -> DEVICE;
                        case "Tensor" -> TENSOR;
                        default -> null;
                    };
                }
            }
            case "_codecs" -> kind = name.equals("encode") ? CODECS_ENCODE : null;
            // Python 3 writes builtins as __builtin__ in protocol 2 (fix_imports).
            case "builtins", "__builtin__" -> kind = name.equals("set") ? SET : null;
            default -> kind = null;
        }
        return kind == null ? Optional.empty() : Optional.of(new PickleValue.Global(kind, module, name, dtype));
    }

    /**
     * Modules whose classes a Hugging Face training run pickles into {@code training_args.bin} (the arguments
     * dataclass, its enums and nested configs) or a trainer's RNG state ({@code numpy} arrays): classes of plain
     * data, which a loader with {@code weights_only=False} imports and constructs but which run no code of the file.
     */
    private static final Set<String> TRAINING_METADATA_MODULES = Set.of(
            "transformers.training_args",
            "transformers.training_args_seq2seq",
            "transformers.trainer_utils",
            "transformers.trainer_pt_utils",
            "transformers.debug_utils",
            "transformers.utils.generic",
            "accelerate.utils.dataclasses",
            "trl.trainer.sft_config",
            "trl.trainer.dpo_config",
            "trl.trainer.grpo_config",
            "trl.trainer.orpo_config",
            "trl.trainer.kto_config",
            "trl.trainer.reward_config",
            "trl.trainer.ppo_config");

    private static final Set<String> TRAINING_METADATA_GLOBALS = Set.of(
            "numpy.core.multiarray._reconstruct",
            "numpy._core.multiarray._reconstruct",
            "numpy.core.multiarray.scalar",
            "numpy._core.multiarray.scalar",
            "numpy.ndarray",
            "numpy.dtype");

    /**
     * Whether {@code module.name} is a data class of training metadata (see {@link #TRAINING_METADATA_MODULES}): a
     * class name (upper-case first letter, no dotted attribute path) in one of those modules, or one of numpy's array
     * reconstructors. A file naming only these and allowlisted globals is not loadable weights-only, yet runs no code
     * of its own; anything else outside the allowlist is refused even beside the weights.
     */
    public static boolean trainingMetadata(String module, String name) {
        if (TRAINING_METADATA_GLOBALS.contains(module + "." + name)) {
            return true;
        }
        return TRAINING_METADATA_MODULES.contains(module)
                && !name.isEmpty()
                && Character.isUpperCase(name.charAt(0))
                && name.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_');
    }

    /** picklescan-style classification of {@code module.name} for reports. */
    public static Safety classify(String module, String name) {
        if (resolve(module, name).isPresent()) {
            return Safety.INNOCUOUS;
        }
        String qualified = module + "." + name;
        if (DANGEROUS_GLOBALS.contains(qualified)) {
            return Safety.DANGEROUS;
        }
        String m = module;
        while (true) {
            if (DANGEROUS_MODULES.contains(m)) {
                return Safety.DANGEROUS;
            }
            int dot = m.lastIndexOf('.');
            if (dot < 0) {
                return Safety.SUSPICIOUS;
            }
            m = m.substring(0, dot);
        }
    }
}
