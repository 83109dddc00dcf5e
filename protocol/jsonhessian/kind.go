package jsonhessian

// Kind says how an argument of a parameter type is read and encoded.
type Kind uint8

// The kinds. Primitives and their boxes are distinct kinds (a box also
// takes null); every class the package does not know is KindClass.
const (
	KindInvalid Kind = iota

	KindBool   // Z
	KindByte   // B
	KindChar   // C
	KindShort  // S
	KindInt    // I
	KindLong   // J
	KindFloat  // F
	KindDouble // D

	KindBoolBox   // java.lang.Boolean
	KindByteBox   // java.lang.Byte
	KindCharBox   // java.lang.Character
	KindShortBox  // java.lang.Short
	KindIntBox    // java.lang.Integer
	KindLongBox   // java.lang.Long
	KindFloatBox  // java.lang.Float
	KindDoubleBox // java.lang.Double

	KindString     // java.lang.String
	KindBigDecimal // java.math.BigDecimal
	KindBigInteger // java.math.BigInteger
	KindDate       // java.util.Date
	KindSQLDate    // java.sql.Date, Time and Timestamp: Type.Class says which
	KindObject     // java.lang.Object, and the interfaces any JSON value fits: Number, Serializable, Comparable, CharSequence
	KindList       // java.util.List, Collection, Set and their common implementations
	KindMap        // java.util.Map and its common implementations
	KindClass      // any other class: a POJO or an enum
	KindArray      // an array; Type.Elem and Type.Dims say of what
)

var kindNames = [...]string{
	KindInvalid:    "invalid",
	KindBool:       "boolean",
	KindByte:       "byte",
	KindChar:       "char",
	KindShort:      "short",
	KindInt:        "int",
	KindLong:       "long",
	KindFloat:      "float",
	KindDouble:     "double",
	KindBoolBox:    "Boolean",
	KindByteBox:    "Byte",
	KindCharBox:    "Character",
	KindShortBox:   "Short",
	KindIntBox:     "Integer",
	KindLongBox:    "Long",
	KindFloatBox:   "Float",
	KindDoubleBox:  "Double",
	KindString:     "String",
	KindBigDecimal: "BigDecimal",
	KindBigInteger: "BigInteger",
	KindDate:       "Date",
	KindSQLDate:    "java.sql date",
	KindObject:     "Object",
	KindList:       "List",
	KindMap:        "Map",
	KindClass:      "class",
	KindArray:      "array",
}

// String returns the Java name of k ("int", "Integer", "List", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "invalid"
}

// IsPrimitive reports whether k is one of the eight primitive kinds.
func (k Kind) IsPrimitive() bool { return KindBool <= k && k <= KindDouble }

// IsBox reports whether k is one of the eight boxed primitive kinds.
func (k Kind) IsBox() bool { return KindBoolBox <= k && k <= KindDoubleBox }

// IsText reports whether an argument of kind k is given as plain text
// (primitives, boxes, String, BigDecimal, BigInteger, Date and the java.sql
// dates) rather than JSON.
func (k Kind) IsText() bool { return KindBool <= k && k <= KindSQLDate }

// unbox returns the primitive kind of a box, or k itself.
func (k Kind) unbox() Kind {
	if k.IsBox() {
		return k - KindBoolBox + KindBool
	}
	return k
}

// primitiveKinds maps a primitive descriptor letter to its kind.
var primitiveKinds = [256]Kind{
	'Z': KindBool, 'B': KindByte, 'C': KindChar, 'S': KindShort,
	'I': KindInt, 'J': KindLong, 'F': KindFloat, 'D': KindDouble,
}

// knownClasses maps the internal names of the classes the package reads
// specially to their kinds. Any other class is KindClass.
var knownClasses = map[string]Kind{
	"java/lang/Boolean":    KindBoolBox,
	"java/lang/Byte":       KindByteBox,
	"java/lang/Character":  KindCharBox,
	"java/lang/Short":      KindShortBox,
	"java/lang/Integer":    KindIntBox,
	"java/lang/Long":       KindLongBox,
	"java/lang/Float":      KindFloatBox,
	"java/lang/Double":     KindDoubleBox,
	"java/lang/String":     KindString,
	"java/math/BigDecimal": KindBigDecimal,
	"java/math/BigInteger": KindBigInteger,
	"java/util/Date":       KindDate,
	"java/sql/Date":        KindSQLDate,
	"java/sql/Time":        KindSQLDate,
	"java/sql/Timestamp":   KindSQLDate,

	"java/lang/Object":       KindObject,
	"java/lang/Number":       KindObject,
	"java/lang/Comparable":   KindObject,
	"java/lang/CharSequence": KindObject,
	"java/io/Serializable":   KindObject,

	"java/lang/Iterable":                        KindList,
	"java/util/Collection":                      KindList,
	"java/util/List":                            KindList,
	"java/util/ArrayList":                       KindList,
	"java/util/LinkedList":                      KindList,
	"java/util/Vector":                          KindList,
	"java/util/Queue":                           KindList,
	"java/util/Deque":                           KindList,
	"java/util/ArrayDeque":                      KindList,
	"java/util/Set":                             KindList,
	"java/util/HashSet":                         KindList,
	"java/util/LinkedHashSet":                   KindList,
	"java/util/SortedSet":                       KindList,
	"java/util/NavigableSet":                    KindList,
	"java/util/TreeSet":                         KindList,
	"java/util/concurrent/CopyOnWriteArrayList": KindList,

	"java/util/Map":                              KindMap,
	"java/util/HashMap":                          KindMap,
	"java/util/LinkedHashMap":                    KindMap,
	"java/util/TreeMap":                          KindMap,
	"java/util/SortedMap":                        KindMap,
	"java/util/NavigableMap":                     KindMap,
	"java/util/Hashtable":                        KindMap,
	"java/util/concurrent/ConcurrentMap":         KindMap,
	"java/util/concurrent/ConcurrentHashMap":     KindMap,
	"java/util/concurrent/ConcurrentSkipListMap": KindMap,
}

// notEnums are the JDK's value classes that are not enums, by internal
// name: a string where one is declared would be read as an enum constant's
// name, and Java would get an object of default fields (a UUID of zeros).
// Other classes cannot be told from enums by their names.
var notEnums = map[string]bool{
	"java/util/UUID": true, "java/util/Locale": true, "java/util/Currency": true, "java/util/Optional": true,
	"java/net/URI": true, "java/net/URL": true, "java/io/File": true, "java/lang/Class": true,
	"java/lang/StringBuilder": true, "java/lang/StringBuffer": true,
	"java/time/Instant": true, "java/time/Duration": true, "java/time/Period": true,
	"java/time/LocalDate": true, "java/time/LocalTime": true, "java/time/LocalDateTime": true,
	"java/time/OffsetDateTime": true, "java/time/OffsetTime": true, "java/time/ZonedDateTime": true,
	"java/time/Year": true, "java/time/YearMonth": true, "java/time/MonthDay": true,
	"java/time/ZoneId": true, "java/time/ZoneOffset": true,
}

// classKind returns the kind of the class with the internal name name.
// The lookup does not allocate.
func classKind(name []byte) Kind {
	if k, ok := knownClasses[string(name)]; ok {
		return k
	}
	return KindClass
}

// listTypeElem is the element name a hessian typed-list type uses for an
// array of kind k (Java's ArraySerializer and BasicSerializer): "[int",
// "[string", "[object", "[date", else the element's Java class name.
var listTypeElem = [...]string{
	KindBool:   "boolean",
	KindByte:   "byte",
	KindChar:   "char",
	KindShort:  "short",
	KindInt:    "int",
	KindLong:   "long",
	KindFloat:  "float",
	KindDouble: "double",
	KindString: "string",
	KindDate:   "date",
}
