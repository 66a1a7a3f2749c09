import * as gcp from "./gcp";
import * as pulumi from "@pulumi/pulumi";
import { filterConfigOf, validateModelArmorFilters } from "./modelArmorFilters";
import { MODEL_ARMOR_FILTER_KEYS, ModelArmorFilterOverrides } from "./modelArmorPresets";
import { componentType } from "./pure/resourceTypes";
import { checkComponentArgs, declareArgKeys, Problems } from "./validation";

/** Arguments of {@link ModelArmorFloorSetting}. */
export interface ModelArmorFloorSettingArgs {
    /** Project whose floor setting this takes over; named explicitly, never taken from the provider. */
    readonly project: pulumi.Input<string>;
    /**
     * Must be `true`. A project has exactly ONE floor setting: creating this resource overwrites whatever floor the
     * project has (create is a patch), and removing it leaves the last floor in place (there is no delete).
     */
    readonly acknowledgeProjectWideSingleton: boolean;
    /**
     * The minimum every Model Armor template of the project must meet; only the filters given are required.
     * Keep it at or below the weakest template (`recommended` leaves injection detection off on responses).
     */
    readonly filters: ModelArmorFilterOverrides;
    /** Enforce the floor (`enableFloorSettingEnforcement`); false records it without enforcing it. @default true */
    readonly enforce?: boolean;
}

const FLOOR_SETTING_ARG_KEYS = declareArgKeys<ModelArmorFloorSettingArgs>()({
    config: [],
    codeOnly: ["project", "acknowledgeProjectWideSingleton", "filters", "enforce"],
});

export function validateModelArmorFloorSettingArgs(args: ModelArmorFloorSettingArgs, problems: Problems): void {
    problems.knownKeys(args as object as Record<string, unknown>, FLOOR_SETTING_ARG_KEYS.codeOnly);
    if (args.acknowledgeProjectWideSingleton !== true) {
        problems.add(
            "acknowledgeProjectWideSingleton",
            args.acknowledgeProjectWideSingleton,
            "must be true: a project has one floor setting for all its templates; this overwrites it, " +
                "and removing it from the program leaves it in place",
        );
    }
    // An Output or a Promise is checked by the resource that produces it.
    if (typeof args.project !== "object") problems.nonEmptyString("project", args.project);
    if (problems.object("filters", args.filters)) {
        const filters = problems.under("filters.");
        filters.knownKeys(args.filters, MODEL_ARMOR_FILTER_KEYS);
        validateModelArmorFilters(args.filters, filters);
        if (Object.keys(args.filters).length === 0) {
            problems.add(
                "filters",
                args.filters,
                "must require at least one filter: an empty floor would replace the project's floor with none",
            );
        }
    }
    if (args.enforce !== undefined) problems.boolean("enforce", args.enforce);
}

/**
 * Opt-in: the project's Model Armor floor setting, a baseline every template of the project must meet. No other
 * component creates it. The provider creates it with a PATCH and never deletes it (magic-modules
 * `modelarmorglobal/Floorsetting.yaml`: `create_verb: PATCH`, `exclude_delete: true`), so it is retained on delete:
 * the floor stays as last set.
 */
export class ModelArmorFloorSetting extends pulumi.ComponentResource {
    /** The floor setting resource (`projects/P/locations/global/floorSetting`). */
    public readonly floorSetting: gcp.modelarmor.Floorsetting;

    constructor(name: string, args: ModelArmorFloorSettingArgs, opts?: pulumi.ComponentResourceOptions) {
        checkComponentArgs("ModelArmorFloorSetting", name, args, validateModelArmorFloorSettingArgs);
        super(componentType("ModelArmorFloorSetting"), name, {}, opts);

        this.floorSetting = new gcp.modelarmor.Floorsetting(
            name,
            {
                // `projects/{project}` per the provider's field doc; floor settings live in `global` (provider
                // examples, and the import format `{{parent}}/locations/{{location}}/floorSetting`).
                parent: pulumi.interpolate`projects/${args.project}`,
                location: "global",
                filterConfig: filterConfigOf(args.filters),
                enableFloorSettingEnforcement: args.enforce ?? true,
            },
            { parent: this, retainOnDelete: true },
        );
        this.registerOutputs({ floorSettingName: this.floorSetting.name });
    }
}
