package dev.seqpredict.train;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** DJL stays inside dev.seqpredict.train (and the RNN/LSTM/GRU lab, dev.seqpredict.lab), and the model core (what the stream runs) never reaches into training. */
class TrainingBoundaryTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.seqpredict");

    @Test
    void onlyTheTrainAndLabPackagesUseDjl() {
        noClasses().that().resideOutsideOfPackages("dev.seqpredict.train..", "dev.seqpredict.lab..")
                .should().dependOnClassesThat().resideInAPackage("ai.djl..")
                .check(MAIN);
    }

    @Test
    void theModelCoreDoesNotDependOnTrainingOrTheCli() {
        noClasses().that().resideInAPackage("dev.seqpredict.model..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.seqpredict.train..", "dev.seqpredict.cli..", "dev.seqpredict.lab..")
                .check(MAIN);
    }
}
