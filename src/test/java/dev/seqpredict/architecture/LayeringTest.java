package dev.seqpredict.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * Keeps the folder layout true: the model core and the per-key processor import no engine; the Flink and
 * Kafka Streams adapters do not know each other; only training code (and the CLI that launches it)
 * touches DJL (plus the lab in dev.seqpredict.lab), so the streaming jobs never need it on their classpath.
 */
@AnalyzeClasses(packages = "dev.seqpredict", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

    private static final String[] ENGINES = {"org.apache.flink..", "org.apache.kafka..", "ai.djl.."};

    @ArchTest
    static final ArchRule modelCoreImportsNoEngine = noClasses().that().resideInAPackage("dev.seqpredict.model..")
            .should().dependOnClassesThat().resideInAnyPackage(ENGINES)
            .orShould().dependOnClassesThat().resideInAnyPackage("dev.seqpredict.processor..", "dev.seqpredict.flink..",
                    "dev.seqpredict.kstreams..", "dev.seqpredict.train..", "dev.seqpredict.cli..", "dev.seqpredict.lab..");

    @ArchTest
    static final ArchRule processorImportsNoEngine = noClasses().that().resideInAPackage("dev.seqpredict.processor..")
            .should().dependOnClassesThat().resideInAnyPackage(ENGINES)
            .orShould().dependOnClassesThat().resideInAnyPackage("dev.seqpredict.flink..", "dev.seqpredict.kstreams..",
                    "dev.seqpredict.train..", "dev.seqpredict.cli..", "dev.seqpredict.lab..");

    @ArchTest
    static final ArchRule securityImportsNoEngineAndNoOtherLayer = noClasses().that().resideInAPackage("dev.seqpredict.security..")
            .should().dependOnClassesThat().resideInAnyPackage(ENGINES)
            .orShould().dependOnClassesThat().resideInAnyPackage("dev.seqpredict.model..", "dev.seqpredict.processor..",
                    "dev.seqpredict.flink..", "dev.seqpredict.kstreams..", "dev.seqpredict.train..", "dev.seqpredict.cli..");

    @ArchTest
    static final ArchRule flinkAdapterKnowsNeitherKafkaStreamsNorDjl = noClasses().that().resideInAPackage("dev.seqpredict.flink..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka.streams..", "ai.djl..",
                    "dev.seqpredict.kstreams..", "dev.seqpredict.train..", "dev.seqpredict.cli..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule kafkaStreamsAdapterKnowsNeitherFlinkNorDjl = noClasses().that().resideInAPackage("dev.seqpredict.kstreams..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "ai.djl..",
                    "dev.seqpredict.flink..", "dev.seqpredict.train..", "dev.seqpredict.cli..")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule onlyTrainingTouchesDjl = noClasses().that().resideOutsideOfPackages("dev.seqpredict.train..", "dev.seqpredict.lab..")
            .should().dependOnClassesThat().resideInAPackage("ai.djl..");
}
